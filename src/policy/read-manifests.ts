import { lstat, readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { SyncgateError } from '../errors/index.js';
import { asObject, isMap, type Resource } from '../k8s/index.js';
import { parseDocuments as loadDocuments } from '../k8s/index.js';
import { SourceFiles } from './sources.js';
import type { ScanNotice } from './types.js';

/** Manifests read for `syncgate scan`, with where each document starts. */
export interface ManifestSet {
  resources: Resource[];
  notices: ScanNotice[];
  /** 1-based first line of each non-empty document, by source. */
  docLines: Map<string, number[]>;
  /** The scanned files (a directory: every file under it) for policies that ask what is committed. */
  sources: SourceFiles;
  /** The text of each source read, by source name (for report positions). */
  texts: Map<string, string>;
}

const EXT = /\.(ya?ml|json)$/i;

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    // Symlinks are not followed: a hostile repo could point outside it.
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile() && EXT.test(e.name)) out.push(p);
  }
}

/** First line of every non-empty YAML document (a cheap location for reports). */
function documentLines(text: string): number[] {
  const lines = text.split('\n');
  const starts: number[] = [];
  let start: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] ?? '';
    if (l.startsWith('---')) {
      start = undefined;
      continue;
    }
    if (start === undefined && l.trim() !== '' && !l.trimStart().startsWith('#')) {
      start = i + 1;
      starts.push(start);
    }
  }
  return starts;
}

/** Turns one file's text into resources; documents that are not Kubernetes objects are skipped with a notice. */
export function manifestsFromText(text: string, source: string, set: ManifestSet): void {
  set.docLines.set(source, text.trimStart().startsWith('{') ? [1] : documentLines(text));
  set.texts.set(source, text);
  for (const [i, v] of loadDocuments(text, source).entries()) {
    if (!isMap(v) || typeof v['apiVersion'] !== 'string' || typeof v['kind'] !== 'string' || v['apiVersion'].startsWith('kustomize.config.k8s.io/')) {
      set.notices.push({ level: 'info', message: `${source}: document ${i + 1}: not a Kubernetes object: skipped` });
      continue;
    }
    if (v['kind'].endsWith('List') && Array.isArray(v['items'])) {
      for (const item of v['items']) set.resources.push({ object: asObject(item, source, i), source, doc: i });
      continue;
    }
    set.resources.push({ object: asObject(v, source, i), source, doc: i });
  }
}

/** Reads a file, a directory (recursively: *.yaml, *.yml, *.json) or stdin (`-`) for a scan; no render, no decryption. */
export async function readManifests(path: string, limits: { bytes: number; resources: number }, stdin?: () => Promise<string>): Promise<ManifestSet> {
  const set: ManifestSet = { resources: [], notices: [], docLines: new Map(), sources: new SourceFiles(undefined), texts: new Map() };
  let total = 0;
  const add = (text: string, source: string): void => {
    total += Buffer.byteLength(text);
    if (total > limits.bytes) throw new SyncgateError('POLICY_INPUT_TOO_LARGE', `${source}: input exceeds ${limits.bytes} bytes (limits.manifestBytes)`);
    manifestsFromText(text, source, set);
    if (set.resources.length > limits.resources) throw new SyncgateError('POLICY_INPUT_TOO_LARGE', `${source}: more than ${limits.resources} resources (limits.resources)`);
  };
  if (path === '-') {
    const text = stdin ? await stdin() : '';
    add(text, '<stdin>');
    set.sources = new SourceFiles(undefined, [{ file: '<stdin>', text }]);
    return set;
  }
  let st;
  try {
    st = await lstat(path);
  } catch (e) {
    throw new SyncgateError('POLICY_INPUT_UNREADABLE', `${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const files: string[] = [];
  if (st.isDirectory()) await walk(path, files);
  else if (st.isFile()) files.push(path);
  else throw new SyncgateError('POLICY_INPUT_UNREADABLE', `${path}: not a regular file or directory`);
  const display = (f: string): string => {
    const rel = relative(process.cwd(), f);
    return rel.startsWith('..') || isAbsolute(rel) ? f : rel;
  };
  for (const f of files) add(await readFile(f, 'utf8'), display(f));
  if (st.isDirectory()) {
    const prefix = display(path);
    set.sources = new SourceFiles(path, [], prefix === '' ? '' : `${prefix.replace(/\/+$/, '')}/`);
  } else {
    set.sources = new SourceFiles(undefined, [...set.texts].map(([file, text]) => ({ file, text })));
  }
  return set;
}
