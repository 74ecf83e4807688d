import { SyncgateError } from '../errors/index.js';
import { isInside } from '../repo/index.js';
import type { AppContext, RenderOptions } from '../request/index.js';
import { contextFromArgoEnv, type AppParameter } from './argo-env.js';

/** Parameter names syncgate reads (and announces); anything else is refused, never ignored. */
export const PARAMETER_NAMES = [
  'values-files',
  'set',
  'set-string',
  'values',
  'release-name',
  'skip-crds',
  'recurse',
  'include',
  'exclude',
  'helm-parameters',
] as const;
export type ParameterName = (typeof PARAMETER_NAMES)[number];

/**
 * `ARGOCD_ENV_*` variables syncgate reads (app authors set them in `spec.source.plugin.env`);
 * parameters win over them. Like parameters they only say how to render.
 */
export const ENV_OPTIONS = {
  ARGOCD_ENV_RELEASE_NAME: 'release-name',
  ARGOCD_ENV_HELM_VALUES_FILES: 'values-files',
  ARGOCD_ENV_SKIP_CRDS: 'skip-crds',
  ARGOCD_ENV_RECURSE: 'recurse',
  ARGOCD_ENV_INCLUDE: 'include',
  ARGOCD_ENV_EXCLUDE: 'exclude',
} as const satisfies Record<string, ParameterName>;

function invalid(msg: string): SyncgateError {
  return new SyncgateError('CMP_PARAMETERS_INVALID', msg);
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

/** Parses ARGOCD_APP_PARAMETERS (Go's json of `[{name, string?, array?, map?}]`; `null` when none). */
export function parseParametersJson(text: string): AppParameter[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw invalid(`ARGOCD_APP_PARAMETERS: not JSON: ${(e as Error).message}`);
  }
  if (raw === null) return [];
  if (!Array.isArray(raw)) throw invalid('ARGOCD_APP_PARAMETERS: must be a JSON array');
  return raw.map((p: unknown, i): AppParameter => {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw invalid(`ARGOCD_APP_PARAMETERS[${i}]: not an object`);
    const o = p as Record<string, unknown>;
    if (typeof o['name'] !== 'string' || o['name'] === '') throw invalid(`ARGOCD_APP_PARAMETERS[${i}]: missing name`);
    const out: AppParameter = { name: o['name'] };
    const s = o['string'];
    const a = o['array'];
    const m = o['map'];
    if (s !== undefined && s !== null) {
      if (typeof s !== 'string') throw invalid(`parameter ${o['name']}: string must be a string`);
      out.string = s;
    }
    if (a !== undefined && a !== null) {
      if (!Array.isArray(a) || a.some((x) => typeof x !== 'string')) throw invalid(`parameter ${o['name']}: array must be a list of strings`);
      out.array = a as string[];
    }
    if (m !== undefined && m !== null) {
      if (!isStringRecord(m)) throw invalid(`parameter ${o['name']}: map must map strings to strings`);
      out.map = { ...m };
    }
    return out;
  });
}

function bool(name: string, v: string): boolean {
  const t = v.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false' || t === '') return false;
  throw invalid(`parameter ${name}: expected true or false, got ${JSON.stringify(v)}`);
}

/** A list from an array parameter, or a string parameter split on commas (and newlines). */
function list(p: AppParameter): string[] {
  if (p.array !== undefined) return p.array.filter((s) => s.trim() !== '');
  return (p.string ?? '')
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function map(p: AppParameter): Record<string, string> {
  if (p.map !== undefined) return p.map;
  if (p.string !== undefined || p.array !== undefined) throw invalid(`parameter ${p.name}: must be a map`);
  return {};
}

function str(p: AppParameter): string {
  if (p.map !== undefined || p.array !== undefined) throw invalid(`parameter ${p.name}: must be a string`);
  return p.string ?? '';
}

/**
 * Turns Argo CD parameters into render options. Unknown names are refused, so a parameter can
 * never be mistaken for something it cannot do (choose a key, a policy or an exception).
 */
export function optionsFromParameters(params: readonly AppParameter[], base: RenderOptions = {}): RenderOptions {
  const o: RenderOptions = { ...base };
  for (const p of params) {
    switch (p.name as ParameterName) {
      case 'values-files':
        o.valueFiles = list(p);
        break;
      case 'set':
        o.set = { ...o.set, ...map(p) };
        break;
      case 'helm-parameters':
        // The announced chart values (announce.ts); the UI saves the whole map back, so the
        // renderer drops entries equal to the chart default and types the rest like it.
        o.helmParameters = { ...o.helmParameters, ...map(p) };
        break;
      case 'set-string':
        o.setString = { ...o.setString, ...map(p) };
        break;
      case 'values':
        o.values = str(p);
        break;
      case 'release-name': {
        const v = str(p).trim();
        if (v !== '') o.releaseName = v;
        break;
      }
      case 'skip-crds':
        o.skipCrds = bool(p.name, str(p));
        break;
      case 'recurse':
        o.recurse = bool(p.name, str(p));
        break;
      case 'include':
        o.include = list(p);
        break;
      case 'exclude':
        o.exclude = list(p);
        break;
      default:
        throw invalid(`unknown parameter ${JSON.stringify(p.name)} (supported: ${PARAMETER_NAMES.join(', ')})`);
    }
  }
  return o;
}

/** Argo CD's PARAM_ escaping: uppercase, anything outside [A-Z0-9_] becomes `_`. */
export function paramEnvName(name: string): string {
  return `PARAM_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

/**
 * Reads the `PARAM_*` forms, used only when ARGOCD_APP_PARAMETERS is absent. Map keys are
 * escaped (uppercased, `.` → `_`) so `set`/`set-string`/`helm-parameters` cannot be rebuilt
 * from them; string and array parameters can.
 */
function parametersFromParamEnv(env: Readonly<Record<string, string | undefined>>): AppParameter[] {
  const out: AppParameter[] = [];
  for (const name of PARAMETER_NAMES) {
    const prefix = paramEnvName(name);
    const single = env[prefix];
    if (single !== undefined) {
      out.push({ name, string: single });
      continue;
    }
    const items: string[] = [];
    for (let i = 0; env[`${prefix}_${i}`] !== undefined; i++) items.push(env[`${prefix}_${i}`] ?? '');
    if (items.length > 0) out.push({ name, array: items });
  }
  return out;
}

function parametersFromEnvOptions(env: Readonly<Record<string, string | undefined>>): AppParameter[] {
  const out: AppParameter[] = [];
  for (const [k, name] of Object.entries(ENV_OPTIONS)) {
    const v = env[k];
    if (v !== undefined && v !== '') out.push({ name, string: v });
  }
  return out;
}

/**
 * Splits the Argo CD request env into the trusted context (ARGOCD_APP_*, KUBE_*) and the
 * untrusted render options (ARGOCD_ENV_*, then ARGOCD_APP_PARAMETERS or its PARAM_* forms).
 */
export function parseArgoEnv(env: Readonly<Record<string, string | undefined>>): { context: AppContext; options: RenderOptions } {
  const context = contextFromArgoEnv(env);
  const fromEnv = optionsFromParameters(parametersFromEnvOptions(env));
  const json = env['ARGOCD_APP_PARAMETERS'];
  const params = json !== undefined && json.trim() !== '' ? parseParametersJson(json) : parametersFromParamEnv(env);
  return { context, options: optionsFromParameters(params, fromEnv) };
}

/**
 * Builds parameters from `--param name=value` flags of the CLI: map parameters take
 * `name=key=value`, list parameters repeat, the others take the last value.
 */
export function parametersFromFlags(flags: readonly string[]): AppParameter[] {
  const byName = new Map<string, AppParameter>();
  for (const f of flags) {
    const i = f.indexOf('=');
    if (i <= 0) throw invalid(`--param ${JSON.stringify(f)}: expected name=value`);
    const name = f.slice(0, i);
    const value = f.slice(i + 1);
    const prev = byName.get(name) ?? { name };
    if (name === 'set' || name === 'set-string' || name === 'helm-parameters') {
      const j = value.indexOf('=');
      if (j <= 0) throw invalid(`--param ${name}=${value}: expected ${name}=key=value`);
      prev.map = { ...prev.map, [value.slice(0, j)]: value.slice(j + 1) };
    } else if (name === 'values-files' || name === 'include' || name === 'exclude') {
      prev.array = [...(prev.array ?? []), ...value.split(',').filter((s) => s !== '')];
    } else {
      prev.string = value;
    }
    byName.set(name, prev);
  }
  return [...byName.values()];
}

// The stock argocd-cmp-server extracts each request under <workdir>/_cmp_server/<uuid>/.
const STOCK_REQUEST_DIR = /^(.*\/_cmp_server\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\/|$)/;

/**
 * The repo root of a command run by the stock server (cwd = the app dir of an extracted repo):
 * cwd with ARGOCD_APP_SOURCE_PATH's segments stripped when cwd ends with them, else cwd. Never
 * above the stock server's per-request dir, so one request cannot reach another's files.
 */
export function repoRootFromArgoEnv(cwd: string, env: Readonly<Record<string, string | undefined>>): string {
  const segments = (env['ARGOCD_APP_SOURCE_PATH'] ?? '').split('/').filter((s) => s !== '' && s !== '.');
  const parts = cwd.replace(/\/+$/, '').split('/');
  let root = cwd;
  if (segments.length > 0 && !segments.includes('..') && segments.length < parts.length) {
    const tail = parts.slice(parts.length - segments.length);
    if (tail.every((s, i) => s === segments[i])) root = parts.slice(0, parts.length - segments.length).join('/') || '/';
  }
  const stock = STOCK_REQUEST_DIR.exec(cwd);
  if (stock?.[1] !== undefined && !isInside(stock[1], root)) return stock[1];
  return root;
}
