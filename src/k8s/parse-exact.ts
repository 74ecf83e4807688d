import { parseAllDocuments } from 'yaml';
import { SyncgateError } from '../errors/index.js';

/**
 * Parses a YAML (or JSON) multi-document stream into plain values, skipping empty and null
 * documents. YAML 1.1 rules are used on purpose: Kubernetes and Argo CD parse manifests with
 * sigs.k8s.io/yaml (go-yaml v2, YAML 1.1), where `on`/`yes` are booleans and `0755` is octal,
 * so we must read the same values the cluster will get.
 */
export function parseDocumentsExact(text: string, source: string): unknown[] {
  const docs = parseAllDocuments(text, { version: '1.1', merge: true, uniqueKeys: false, prettyErrors: false });
  const out: unknown[] = [];
  for (const [i, d] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    const err = d.errors[0];
    if (err) {
      const line = err.linePos?.[0]?.line;
      throw new SyncgateError(
        'K8S_YAML_INVALID',
        `${source}: document ${i + 1}${line ? ` line ${line}` : ''}: ${err.message.split('\n')[0] ?? ''}`,
      );
    }
    const v: unknown = d.toJS({ maxAliasCount: 1000 });
    if (v === null || v === undefined) continue;
    out.push(v);
  }
  return out;
}

