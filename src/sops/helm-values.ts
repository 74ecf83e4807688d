import { emitTree } from './emit.js';
import type { MapItem, MapNode, TreeNode } from './tree.js';

/**
 * helm's `mergeMaps` (pkg/cli/values/options.go) on decrypted trees: a later file's key replaces
 * the earlier value, except where both are maps, which merge key by key.
 */
function mergeMaps(a: MapNode, b: MapNode): MapNode {
  const items: MapItem[] = a.items.filter((i): i is MapItem => i.kind === 'item');
  const index = new Map(items.map((it, i) => [it.key, i]));
  for (const it of b.items) {
    if (it.kind !== 'item') continue;
    const at = index.get(it.key);
    if (at === undefined) {
      index.set(it.key, items.length);
      items.push(it);
      continue;
    }
    const prev = items[at]!.value;
    const value: TreeNode = it.value.kind === 'map' && prev.kind === 'map' ? mergeMaps(prev, it.value) : it.value;
    items[at] = { kind: 'item', key: it.key, value };
  }
  return { kind: 'map', items };
}

/**
 * The decrypted Helm values files of a render as one JSON document for helm's stdin
 * (`--values=-`): merged in order as helm merges values files, so nothing decrypted is written
 * to disk. helm reads only the first document of a values file, so only that one counts.
 */
export function helmValuesStdin(files: readonly (readonly MapNode[])[]): Buffer {
  let merged: MapNode = { kind: 'map', items: [] };
  for (const branches of files) {
    const first = branches[0];
    if (first) merged = mergeMaps(merged, first);
  }
  return emitTree('json', [merged]);
}
