import { Document, Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';
import { scalarToJs, scalarToText } from './scalar.js';
import type { MapNode, SopsFormat, TreeNode } from './tree.js';

/** A tree node as a plain JS value (comments dropped); maps become objects. */
export function toJs(node: TreeNode): unknown {
  switch (node.kind) {
    case 'map': {
      const o: Record<string, unknown> = {};
      for (const it of node.items) if (it.kind === 'item') o[it.key] = toJs(it.value);
      return o;
    }
    case 'seq':
      return node.items.filter((i) => i.kind !== 'comment').map(toJs);
    case 'leaf':
      return scalarToJs(node.value);
    case 'null':
    case 'comment':
      return null;
  }
}

// YAML nodes keep the file's key order (a plain object would move "2024" before "a").
function toYamlNode(node: TreeNode, doc: Document): Node {
  switch (node.kind) {
    case 'map': {
      const m = new YAMLMap();
      for (const it of node.items) if (it.kind === 'item') m.items.push(new Pair(new Scalar(it.key), toYamlNode(it.value, doc)));
      return m;
    }
    case 'seq': {
      const s = new YAMLSeq();
      for (const it of node.items) if (it.kind !== 'comment') s.items.push(toYamlNode(it, doc));
      return s;
    }
    case 'leaf': {
      const v = node.value;
      // Exact as sops writes them: an int beyond 2^53 stays an int, a timestamp stays plain.
      if (v.t === 'int') return new Scalar(v.n);
      if (v.t === 'time') {
        const t = new Scalar(v.s);
        t.type = 'PLAIN';
        return t;
      }
      return doc.createNode(toJs(node));
    }
    default:
      return doc.createNode(toJs(node));
  }
}

function yamlText(node: MapNode): string {
  const doc = new Document(null, { version: '1.1' });
  doc.contents = toYamlNode(node, doc);
  return doc.toString({ lineWidth: 0 });
}

// go-yaml (helm reads values with sigs.k8s.io/yaml) refuses characters YAML does not allow in a
// stream, even inside a JSON string: DEL, C1 controls other than NEL, U+FFFE/U+FFFF. Escaped, the
// value is the same string (JSON.stringify already escapes C0 controls and lone surrogates).
const NOT_YAML_PRINTABLE = /[\u007f-\u0084\u0086-\u009f\ufffe\uffff]/g;

/** A JSON string literal that go-yaml also reads. */
export function jsonString(s: string): string {
  return JSON.stringify(s).replace(NOT_YAML_PRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function jsonOf(node: TreeNode, indent: string): string {
  const inner = `${indent}  `;
  switch (node.kind) {
    case 'map': {
      const items = node.items.flatMap((it) => (it.kind === 'item' ? [`${inner}${jsonString(it.key)}: ${jsonOf(it.value, inner)}`] : []));
      return items.length ? `{\n${items.join(',\n')}\n${indent}}` : '{}';
    }
    case 'seq': {
      const items = node.items.filter((i) => i.kind !== 'comment').map((i) => `${inner}${jsonOf(i, inner)}`);
      return items.length ? `[\n${items.join(',\n')}\n${indent}]` : '[]';
    }
    case 'leaf': {
      const v = node.value;
      if (v.t === 'int') return v.n.toString();
      if (v.t === 'float') return Number.isFinite(v.f) ? JSON.stringify(v.f) : JSON.stringify(scalarToText(v));
      const js = scalarToJs(v);
      return typeof js === 'string' ? jsonString(js) : JSON.stringify(js);
    }
    default:
      return 'null';
  }
}

/**
 * Serialises decrypted branches in the file's own format, key order kept: YAML (documents joined
 * by `---`, written as YAML 1.1 so Helm reads `"yes"` as a string), JSON, dotenv, INI, or the raw
 * bytes of a binary file.
 */
export function emitTree(format: SopsFormat, branches: readonly MapNode[]): Buffer {
  switch (format) {
    case 'yaml':
      return Buffer.from(
        branches.map(yamlText).join('---\n'),
        'utf8',
      );
    case 'json':
      return Buffer.from(`${jsonOf(branches[0] ?? { kind: 'map', items: [] }, '')}\n`, 'utf8');
    case 'dotenv': {
      const lines = (branches[0]?.items ?? []).map((it) =>
        it.kind === 'comment'
          ? `#${it.text}`
          : `${it.key}=${it.value.kind === 'leaf' ? scalarToText(it.value.value).replaceAll('\n', '\\n') : ''}`,
      );
      return Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
    }
    case 'ini': {
      const out: string[] = [];
      for (const sec of branches[0]?.items ?? []) {
        if (sec.kind !== 'item' || sec.value.kind !== 'map') continue;
        if (sec.key === 'DEFAULT' && sec.value.items.length === 0) continue;
        out.push(`[${sec.key}]`);
        // sops attaches a comment to the key before it and go-ini writes it above that key.
        const items = sec.value.items;
        items.forEach((it, i) => {
          if (it.kind === 'comment') {
            if (i === 0) out.push(`; ${it.text}`);
            return;
          }
          for (let j = i + 1; j < items.length && items[j]!.kind === 'comment'; j++) out.push(`; ${(items[j] as { text: string }).text}`);
          out.push(`${it.key} = ${it.value.kind === 'leaf' ? scalarToText(it.value.value) : ''}`);
        });
        out.push('');
      }
      return Buffer.from(out.join('\n'), 'utf8');
    }
    case 'binary': {
      const data = branches[0]?.items.find((i) => i.kind === 'item' && i.key === 'data');
      if (data?.kind !== 'item' || data.value.kind !== 'leaf') return Buffer.alloc(0);
      const v = data.value.value;
      return v.t === 'bytes' ? v.buf : Buffer.from(scalarToText(v), 'utf8');
    }
  }
}
