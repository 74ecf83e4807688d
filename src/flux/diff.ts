import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { SyncgateError, isSyncgateError } from '../errors/index.js';
import { identity, identityKey, isMap, parseResources, type K8sObject } from '../k8s/index.js';
import type { Redactor } from '../log/index.js';

/** One object's change between two builds. */
export interface ObjectChange {
  op: 'added' | 'removed' | 'changed';
  /** `Kind/namespace/name`. */
  object: string;
  /** For `changed`: the fields that differ, as dotted paths with their old and new values. */
  fields: { path: string; before?: unknown; after?: unknown }[];
}

/** The regular files of a tar archive (what `flux build --output x.tgz` writes). */
async function untar(buf: Buffer): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        if (header.type === 'file') files.set(header.name, Buffer.concat(chunks).toString('utf8'));
        next();
      });
      stream.resume();
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(buf);
  await done;
  return files;
}

function manifestFilesIn(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && /\.(ya?ml|json)$/.test(e.name)) out.push(full);
    }
  };
  walk(dir);
  return out;
}

/**
 * Reads a previous build: a manifest stream file, a `flux build --output` directory (every
 * manifest file under it) or a `.tgz` archive. Throws FLUX_DIFF_INVALID naming the path.
 */
export async function readPreviousBuild(path: string): Promise<K8sObject[]> {
  try {
    const st = statSync(path);
    const texts: [string, string][] = [];
    if (st.isDirectory()) for (const f of manifestFilesIn(path)) texts.push([f, readFileSync(f, 'utf8')]);
    else if (/\.(tgz|tar\.gz)$/.test(path)) {
      for (const [name, text] of await untar(gunzipSync(readFileSync(path)))) if (/\.(ya?ml|json)$/.test(name)) texts.push([`${path}:${name}`, text]);
    } else texts.push([path, readFileSync(path, 'utf8')]);
    return texts.flatMap(([source, text]) => parseResources(text, source).map((r) => r.object));
  } catch (e) {
    const why = isSyncgateError(e) ? `${e.code}: ${e.message}` : ((e as NodeJS.ErrnoException).code ?? String(e));
    throw new SyncgateError('FLUX_DIFF_INVALID', `previous build ${path}: cannot read: ${why}`);
  }
}

function fieldDiff(a: unknown, b: unknown, path: string, out: ObjectChange['fields']): void {
  if (isDeepStrictEqual(a, b)) return;
  if (isMap(a) && isMap(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) fieldDiff(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => fieldDiff(x, b[i], `${path}[${i}]`, out));
    return;
  }
  out.push({ path, ...(a === undefined ? {} : { before: a }), ...(b === undefined ? {} : { after: b }) });
}

/** Objects added, removed and changed from `before` to `after`, keyed by `apiGroup/Kind/namespace/name`. */
export function diffBuilds(before: readonly K8sObject[], after: readonly K8sObject[]): ObjectChange[] {
  const old = new Map(before.map((o) => [identityKey(o), o]));
  const now = new Map(after.map((o) => [identityKey(o), o]));
  const changes: ObjectChange[] = [];
  for (const [k, o] of now) {
    const prev = old.get(k);
    if (prev === undefined) changes.push({ op: 'added', object: identity(o), fields: [] });
    else if (!isDeepStrictEqual(prev, o)) {
      const fields: ObjectChange['fields'] = [];
      fieldDiff(prev, o, '', fields);
      changes.push({ op: 'changed', object: identity(o), fields });
    }
  }
  for (const [k, o] of old) if (!now.has(k)) changes.push({ op: 'removed', object: identity(o), fields: [] });
  return changes.sort((a, b) => (a.object < b.object ? -1 : a.object > b.object ? 1 : 0));
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/**
 * The diff as text: `+`/`-`/`~` per object and, for a changed one, each field with its old and
 * new value. Secret fields show their paths only (the build keeps them encrypted; nothing to
 * read there), and every value passes through the redactor.
 */
export function formatDiff(changes: readonly ObjectChange[], redactor: Redactor): string {
  if (changes.length === 0) return 'no changes';
  const lines: string[] = [];
  const counts = { added: 0, removed: 0, changed: 0 };
  for (const c of changes) {
    counts[c.op]++;
    lines.push(`${c.op === 'added' ? '+' : c.op === 'removed' ? '-' : '~'} ${c.object}`);
    const secret = c.object.startsWith('Secret/');
    for (const f of c.fields) {
      const hidden = secret && /^(data|stringData|sops)\b/.test(f.path);
      lines.push(hidden ? `    ${f.path}: changed` : `    ${f.path}: ${'before' in f ? show(f.before) : '(none)'} -> ${'after' in f ? show(f.after) : '(none)'}`);
    }
  }
  lines.unshift(`${counts.added} added, ${counts.removed} removed, ${counts.changed} changed`);
  return redactor.mask(lines.join('\n'));
}
