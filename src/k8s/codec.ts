import { Document, visit, type Tags } from 'yaml';
import { SyncgateError } from '../errors/index.js';
import { decodeStream } from './decode.js';
import type { ParseLimits } from './limits.js';
import { resolveTyped } from './resolve.js';
import type { K8sObject, Resource } from './types.js';

/**
 * Parses a YAML (or JSON) manifest stream into plain values exactly as Kubernetes reads it
 * (sigs.k8s.io/yaml: go-yaml v2's scalars, then JSON; see resolve.ts and decode.ts), skipping
 * empty and null documents. Integers beyond ±(2^53-1) are bigints. Every parse is bounded by
 * `limits` (limits.ts); failures are K8S_YAML_INVALID or LIMIT_EXCEEDED.
 */
export function parseDocuments(text: string, source: string, limits?: Partial<ParseLimits>): unknown[] {
  return decodeStream(text, source, limits);
}

/** A YAML/JSON mapping (an object that is not an array). */
export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the envelope of one parsed document; throws K8S_OBJECT_INVALID naming the file. */
export function asObject(v: unknown, source: string, doc: number): K8sObject {
  if (!isMap(v)) throw new SyncgateError('K8S_OBJECT_INVALID', `${source}: document ${doc + 1}: not a mapping`);
  const md = v['metadata'];
  const missing: string[] = [];
  if (typeof v['apiVersion'] !== 'string' || v['apiVersion'] === '') missing.push('apiVersion');
  if (typeof v['kind'] !== 'string' || v['kind'] === '') missing.push('kind');
  if (!isMap(md) || typeof md['name'] !== 'string' || md['name'] === '') {
    // generateName-only objects cannot be tracked by Argo CD or Flux either.
    missing.push('metadata.name');
  }
  if (missing.length > 0) {
    throw new SyncgateError('K8S_OBJECT_INVALID', `${source}: document ${doc + 1}: missing ${missing.join(', ')}`);
  }
  return v as K8sObject;
}

/**
 * Parses a manifest stream into resources, expanding `*List` kinds (`v1/List`, `ConfigMapList`…)
 * the way Argo CD does.
 */
export function parseResources(text: string, source: string, limits?: Partial<ParseLimits>): Resource[] {
  const out: Resource[] = [];
  const docs = decodeStream(text, source, limits);
  for (let i = 0; i < docs.length; i++) {
    const v = docs[i];
    if (isMap(v) && typeof v['kind'] === 'string' && v['kind'].endsWith('List') && Array.isArray(v['items'])) {
      for (const item of v['items']) out.push({ object: asObject(item, source, i), source, doc: i });
      continue;
    }
    out.push({ object: asObject(v, source, i), source, doc: i });
  }
  return out;
}

const UNPRINTABLE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;
const UNPRINTABLE_G = new RegExp(UNPRINTABLE.source, 'g');

function escapeUnprintable(c: string): string {
  const n = c.charCodeAt(0);
  if (n === 0x85) return '\\N';
  if (n === 0x2028) return '\\L';
  if (n === 0x2029) return '\\P';
  return n < 0x100 ? `\\x${n.toString(16).toUpperCase()}` : `\\u${n.toString(16).toUpperCase()}`;
}

/** True when Kubernetes would read `s`, written as a plain scalar, as something other than that string. */
export function needsQuotes(s: string): boolean {
  // A plain `<<` key is a merge (go-yaml v2 decode.go isMerge), not the string.
  if (s === '<<') return true;
  // Characters libyaml does not take raw (DEL, C1 controls, BOM, U+FFFE/U+FFFF) or reads as
  // line breaks (NEL, U+2028, U+2029): written as escapes inside double quotes (toYamlStream).
  if (UNPRINTABLE.test(s)) return true;
  try {
    const r = resolveTyped(s, true, '');
    return r.kind !== 'str' && r.kind !== 'timestamp';
  } catch {
    return true;
  }
}

// The `yaml` package's YAML 1.1 schema (it quotes what YAML 1.1 reads as non-strings), without its
// merge tag, which would print a `<<` string key bare; objects reached twice are written twice,
// never as anchors.
const DOCUMENT_OPTIONS = { version: '1.1', aliasDuplicateObjects: false, customTags: (tags: Tags) => tags.filter((t) => typeof t !== 'object' || t.tag !== 'tag:yaml.org,2002:merge') } as const;

/**
 * Serialises objects as one YAML stream (`---` separated) that Kubernetes reads back as the
 * same values: a string that go-yaml v2 would resolve to something else (`0o17`, `yes`, `~`,
 * `1e3`, `<<`) is double-quoted; bigints are written as their exact digits.
 */
export function toYamlStream(objects: readonly unknown[]): string {
  return objects
    .map((o) => {
      const doc = new Document(o, DOCUMENT_OPTIONS);
      visit(doc, {
        Scalar(_k, node) {
          if (typeof node.value === 'string' && needsQuotes(node.value) && node.type !== 'QUOTE_SINGLE') node.type = 'QUOTE_DOUBLE';
        },
      });
      const text = doc.toString({ lineWidth: 0 });
      // Such characters only occur inside the double-quoted scalars needsQuotes asked for.
      return UNPRINTABLE.test(text) ? text.replace(UNPRINTABLE_G, escapeUnprintable) : text;
    })
    .join('---\n');
}

