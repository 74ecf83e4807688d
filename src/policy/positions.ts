import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';

// Report positions of findings: the 1-based line of a finding's field in the file it was read
// from, computed from the source text with the `yaml` package's CST ranges (the object codec in
// src/k8s keeps no positions). A field the object lacks (a missing securityContext setting)
// points at its closest present ancestor, so code scanning annotates the block to fix.

/** One path step: a map key or a list index. */
type Step = string | number;

/** `spec.containers[0].env[1].value`, `metadata.annotations["a.b/c"]` → steps. */
export function pathSteps(path: string): Step[] {
  const steps: Step[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else if (m[3] !== undefined) steps.push(JSON.parse(m[3]) as string);
  }
  return steps;
}

interface Parsed {
  docs: Document[];
  lines: LineCounter;
}

/** Finds field lines in source texts; parses each text once. */
export class FieldPositions {
  private readonly cache = new Map<string, Parsed | undefined>();

  constructor(private readonly texts: ReadonlyMap<string, string>) {}

  private parsed(source: string): Parsed | undefined {
    if (this.cache.has(source)) return this.cache.get(source);
    const text = this.texts.get(source);
    let p: Parsed | undefined;
    if (text !== undefined) {
      const lines = new LineCounter();
      try {
        // Documents the codec skips (empty, null) are skipped here too, so `doc` indexes agree.
        const docs = parseAllDocuments(text, { lineCounter: lines, version: '1.1' });
        const list = Array.isArray(docs) ? docs : [];
        p = { docs: list.filter((d) => d.contents !== null && !(isScalar(d.contents) && d.contents.value === null)), lines };
      } catch {
        p = undefined;
      }
    }
    this.cache.set(source, p);
    return p;
  }

  /** The 1-based line of `path` in document `doc` of `source` (or of its closest present ancestor). */
  lineOf(source: string, doc: number, path: string): number | undefined {
    const p = this.parsed(source);
    const d = p?.docs[doc];
    if (!p || !d) return undefined;
    let node: unknown = d.contents;
    let offset = rangeStart(node);
    for (const step of pathSteps(path)) {
      if (isMap(node)) {
        const pair = node.items.find((it) => (isScalar(it.key) ? String(it.key.value) : undefined) === String(step));
        if (!pair) break;
        offset = rangeStart(pair.key) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof step === 'number') {
        const item = node.items[step];
        if (item === undefined) break;
        offset = rangeStart(item) ?? offset;
        node = item;
      } else {
        break;
      }
    }
    return offset === undefined ? undefined : p.lines.linePos(offset).line;
  }
}

function rangeStart(n: unknown): number | undefined {
  const r = (n as Node | null | undefined)?.range;
  return r ? r[0] : undefined;
}
