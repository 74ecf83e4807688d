import { FormatError } from './parse-yaml.js';
import type { CommentNode, MapItem, MapNode, SopsDocument } from './tree.js';

// sops stores/flatten.go: dotenv and INI keep metadata flattened with these separators.
const TOKEN = /__map_|__list_/g;

function unflatten(entries: [string, string][]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const parts: (string | number)[] = [];
    let last = 0;
    let kind: 'map' | 'list' = 'map';
    for (const m of key.matchAll(TOKEN)) {
      const seg = key.slice(last, m.index);
      parts.push(kind === 'list' ? Number(seg) : seg);
      kind = m[0] === '__list_' ? 'list' : 'map';
      last = m.index + m[0].length;
    }
    const seg = key.slice(last);
    parts.push(kind === 'list' ? Number(seg) : seg);
    let cur: Record<string | number, unknown> = root;
    parts.forEach((p, i) => {
      if (i === parts.length - 1) {
        cur[p] = value;
        return;
      }
      const next = parts[i + 1];
      cur[p] ??= typeof next === 'number' ? [] : {};
      cur = cur[p] as Record<string | number, unknown>;
    });
  }
  return root;
}

/** Parses a sops dotenv file (stores/dotenv): `key=value` lines split at the first `=`, `#` comments. */
export function parseDotenvTree(text: string): SopsDocument {
  const items: (MapItem | CommentNode)[] = [];
  const meta: [string, string][] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      items.push({ kind: 'comment', text: line.slice(1) });
      continue;
    }
    const pos = line.indexOf('=');
    if (pos < 0) throw new FormatError('invalid dotenv line (no "=")');
    const key = line.slice(0, pos);
    const value = line.slice(pos + 1).replaceAll('\\n', '\n');
    if (key.startsWith('sops_')) meta.push([key.slice(5), value]);
    else items.push({ kind: 'item', key, value: { kind: 'leaf', value: { t: 'str', s: value } } });
  }
  return { format: 'dotenv', branches: [{ kind: 'map', items }], metadata: meta.length ? unflatten(meta) : undefined };
}

function stripCommentChar(c: string): string {
  if (c.startsWith(';')) return c.replace(/^[; ]+/, '');
  if (c.startsWith('#')) return c.replace(/^[# ]+/, '');
  return c;
}

function iniValue(raw: string): string {
  let v = raw.trim();
  const q = /^"""([\s\S]*)"""$|^"(.*)"$|^'(.*)'$|^`(.*)`$/.exec(v);
  if (q) return q[1] ?? q[2] ?? q[3] ?? q[4] ?? '';
  // go-ini cuts an unquoted value at the first inline comment character.
  const i = v.search(/[#;]/);
  if (i >= 0) v = v.slice(0, i).trim();
  return v;
}

/** Parses a sops INI file (stores/ini on go-ini): sections are top-level keys, `[sops]` is metadata. */
export function parseIniTree(text: string): SopsDocument {
  const sections: { name: string; items: (MapItem | CommentNode)[] }[] = [{ name: 'DEFAULT', items: [] }];
  let pending: string[] = [];
  let meta: [string, string][] | undefined;
  let cur = sections[0]!;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '') continue;
    if (line.startsWith(';') || line.startsWith('#')) {
      pending.push(line);
      continue;
    }
    if (line.startsWith('[')) {
      const end = line.indexOf(']');
      if (end < 0) throw new FormatError('unclosed INI section header');
      const name = line.slice(1, end).trim();
      cur = { name, items: [] };
      if (pending.length) cur.items.push({ kind: 'comment', text: stripCommentChar(pending.join('\n')) });
      pending = [];
      if (name === 'sops') meta = [];
      else sections.push(cur);
      continue;
    }
    const m = /^([^=:]+?)\s*[=:]\s?(.*)$/.exec(line);
    if (!m) throw new FormatError('invalid INI line');
    const key = m[1]!.trim();
    const value = iniValue(m[2] ?? '');
    if (cur.name === 'sops' && meta) {
      meta.push([key, value.replaceAll('\\n', '\n')]);
    } else {
      cur.items.push({ kind: 'item', key, value: { kind: 'leaf', value: { t: 'str', s: value } } });
      if (pending.length) cur.items.push({ kind: 'comment', text: stripCommentChar(pending.join('\n')) });
    }
    pending = [];
  }
  const root: MapNode = {
    kind: 'map',
    items: sections.map((s): MapItem => ({ kind: 'item', key: s.name, value: { kind: 'map', items: s.items } })),
  };
  return { format: 'ini', branches: [root], metadata: meta ? unflatten(meta) : undefined };
}
