import { readFileSync } from 'node:fs';
import { SyncgateError, isSyncgateError } from '../errors/index.js';
import { parseDocuments } from '../k8s/index.js';
import { resolveInsideRepo } from '../repo/index.js';

/** A chart value the `helm-parameters` map lists: its path in values.yaml and its typed default. */
export interface HelmDefault {
  path: readonly (string | number)[];
  value: string | number | boolean;
}

// Helm's strvals key parser (pkg/strvals/parser.go key, runesUntil) stops a key at `=`, `[`, `,`
// and `.`, reads `]` as the end of an index, and takes the rune after `\` literally.
const KEY_SPECIAL = /[\\.[\],=]/g;

/** One map key in `--set` key syntax: the characters helm's key parser stops at are `\`-escaped. */
function escapeKeySegment(k: string): string {
  return k.replace(KEY_SPECIAL, (c) => `\\${c}`);
}

/** A values path in `--set` key syntax: `a.b`, `list[0].name`, `dotted\.key`. */
export function helmKey(path: readonly (string | number)[]): string {
  let out = '';
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? escapeKeySegment(s) : `.${escapeKeySegment(s)}`;
  }
  return out;
}

/**
 * Flattens chart values the way Argo CD's Helm source lists parameters (util/helm flatVals:
 * `a.b`, `list[0]`), with one difference: a key holding `.`, `[`, `]`, `,`, `=` or `\` is
 * escaped as helm's `--set` key syntax reads it, so a listed name always reaches the value it
 * was listed for. Nulls, empty maps and empty lists list nothing (as upstream).
 */
export function flattenHelmValues(input: unknown, out = new Map<string, HelmDefault>(), path: (string | number)[] = []): Map<string, HelmDefault> {
  if (Array.isArray(input)) {
    input.forEach((v, i) => flattenHelmValues(v, out, [...path, i]));
  } else if (typeof input === 'object' && input !== null) {
    for (const [k, v] of Object.entries(input)) flattenHelmValues(v, out, [...path, k]);
  } else if ((typeof input === 'string' || typeof input === 'number' || typeof input === 'boolean') && path.length > 0) {
    out.set(helmKey(path), { path, value: input });
  }
  return out;
}

/** The chart's values.yaml (the defaults the `helm-parameters` map lists), `{}` when the chart has none. */
export function readChartValues(appDir: string, repoRoot: string): unknown {
  let file: string;
  try {
    file = resolveInsideRepo(repoRoot, appDir, 'values.yaml', 'values file');
  } catch (e) {
    if (isSyncgateError(e, 'RENDER_PATH_NOT_FOUND')) return {};
    throw e;
  }
  return parseDocuments(readFileSync(file, 'utf8'), 'values.yaml')[0] ?? {};
}

/**
 * Argo CD's `cleanSetParameters` (util/helm/cmd.go) for `--set`/`--set-string` values: a value
 * wrapped in `{…}` is a Helm list and stays as is; otherwise every comma not already preceded
 * by a backslash is escaped. Backslashes are left alone (so helm still reads `\x` as `x`).
 */
export function cleanSetValue(value: string): string {
  if (value.startsWith('{') && value.endsWith('}')) return value;
  let out = '';
  let prev = '';
  for (const c of value) {
    out += c === ',' && prev !== '\\' ? '\\,' : c;
    prev = c;
  }
  return out;
}

/** A value helm's `--set-string` parser reads back exactly: `\`, `,` and a leading `{` (a list) escaped. */
function literalSetString(value: string): string {
  return value.replace(/[\\,{]/g, (c) => `\\${c}`);
}

function invalid(key: string, msg: string): SyncgateError {
  return new SyncgateError('CMP_PARAMETERS_INVALID', `parameter helm-parameters: ${key}: ${msg}`);
}

/** The edited text as a value of the default's type: a string stays a string, a number a number, a bool a bool. */
function typedLike(def: HelmDefault, key: string, text: string): string | number | boolean {
  if (typeof def.value === 'string') return text;
  const t = text.trim();
  if (typeof def.value === 'boolean') {
    if (t.toLowerCase() === 'true') return true;
    if (t.toLowerCase() === 'false') return false;
    throw invalid(key, `the chart default is a boolean, got ${JSON.stringify(text)} (use the set-string parameter to change its type)`);
  }
  if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(t) || !Number.isFinite(Number(t))) {
    throw invalid(key, `the chart default is a number, got ${JSON.stringify(text)} (use the set-string parameter to change its type)`);
  }
  return Number(t);
}

function setAt(root: unknown, path: readonly (string | number)[], value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const s of path.slice(0, -1)) node = node[s] as Record<string | number, unknown>;
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
}

function getAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const s of path) node = (node as Record<string | number, unknown>)[s];
  return node;
}

/**
 * The helm flags for the `helm-parameters` map (the chart values the UI lists and, once one
 * entry is edited, saves back whole):
 * - an entry equal to its listed default is dropped, so saving the form unchanged renders
 *   exactly what no parameters render;
 * - an edited entry keeps the type of its default: `--set-string` for a string (escaped so
 *   helm reads the text back exactly), `--set-json` for a number or a boolean;
 * - an edited entry inside a list sends the whole list (`--set-json`, defaults plus edits),
 *   because helm replaces a list given on the command line instead of merging it;
 * - an entry the chart does not list is passed like Argo CD's Helm source passes a parameter:
 *   `--set key=value` with commas escaped (`cleanSetValue`).
 */
export function helmParameterArgs(chartValues: unknown, params: Readonly<Record<string, string>>): string[] {
  const defaults = flattenHelmValues(chartValues);
  const args: string[] = [];
  const lists = new Map<string, { path: readonly (string | number)[]; edits: { path: readonly (string | number)[]; value: unknown }[] }>();
  for (const [key, text] of Object.entries(params)) {
    const def = defaults.get(key);
    if (def === undefined) {
      args.push(`--set=${key}=${cleanSetValue(text)}`);
      continue;
    }
    if (String(def.value) === text) continue;
    const value = typedLike(def, key, text);
    const at = def.path.findIndex((s) => typeof s === 'number');
    if (at >= 0) {
      const listPath = def.path.slice(0, at);
      const listKey = helmKey(listPath);
      const entry = lists.get(listKey) ?? { path: listPath, edits: [] };
      entry.edits.push({ path: def.path.slice(at), value });
      lists.set(listKey, entry);
    } else if (typeof value === 'string') {
      args.push(`--set-string=${key}=${literalSetString(value)}`);
    } else {
      args.push(`--set-json=${key}=${JSON.stringify(value)}`);
    }
  }
  for (const [listKey, { path, edits }] of lists) {
    const list: unknown = structuredClone(getAt(chartValues, path));
    for (const e of edits) setAt(list, e.path, e.value);
    args.push(`--set-json=${listKey}=${JSON.stringify(list)}`);
  }
  return args;
}
