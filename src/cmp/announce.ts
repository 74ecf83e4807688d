import type { GateConfig } from '../config/index.js';
import { SyncgateError, isSyncgateError } from '../errors/index.js';
import { formatArgv, run } from '../exec/index.js';
import type { Logger } from '../log/index.js';
import { flattenHelmValues, readChartValues } from '../render/index.js';
import { discoverApp } from './discover.js';
import { isSyncgateCommand, type PluginConfig } from './plugin-config.js';
import type { ParameterAnnouncement } from './service.js';

const HELM: ParameterAnnouncement[] = [
  {
    name: 'values-files',
    title: 'Helm values files',
    tooltip: 'values files relative to the app directory, applied in order after values.yaml; they must stay inside the repo',
    collectionType: 'array',
  },
  { name: 'set', title: 'Helm --set values', tooltip: 'key → value, as `helm template --set key=value`', collectionType: 'map' },
  { name: 'set-string', title: 'Helm --set-string values', tooltip: 'key → value, always strings', collectionType: 'map' },
  { name: 'values', title: 'Inline Helm values', tooltip: 'a YAML document applied after the values files' },
  { name: 'release-name', title: 'Helm release name', tooltip: 'defaults to the application name' },
  { name: 'skip-crds', title: 'Skip CRDs', tooltip: 'true to leave out the chart crds/ directory', itemType: 'boolean', string: 'false' },
];

const DIRECTORY: ParameterAnnouncement[] = [
  { name: 'recurse', title: 'Recurse into subdirectories', itemType: 'boolean', string: 'false' },
  { name: 'include', title: 'Include globs', tooltip: 'only files matching one of these globs (relative paths)', collectionType: 'array' },
  { name: 'exclude', title: 'Exclude globs', tooltip: 'skip files matching one of these globs', collectionType: 'array' },
];

/** The chart values as the `helm-parameters` map lists them: `--set` keys → the default as text. */
export function flattenValues(input: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, d] of flattenHelmValues(input)) out[k] = String(d.value);
  return out;
}

/**
 * What `syncgate parameters` prints: the render options that apply to this app's type and, for
 * a Helm chart, its values.yaml flattened into one `helm-parameters` map (as Argo CD's Helm
 * source shows them). values.yaml must resolve inside the repo root.
 */
export async function syncgateParameters(appDir: string, repoRoot: string, appName = ''): Promise<ParameterAnnouncement[]> {
  const type = await discoverApp(appDir);
  if (type === 'directory') return DIRECTORY.map((a) => ({ ...a }));
  if (type !== 'helm') return [];
  const out = HELM.map((a) => (a.name === 'release-name' && appName !== '' ? { ...a, string: appName.split('_').pop() ?? '' } : { ...a }));
  const values = flattenValues(readChartValues(appDir, repoRoot));
  out.push({
    name: 'helm-parameters',
    title: 'Helm parameters',
    tooltip: 'chart values (values.yaml); an edited value keeps the type of the chart default, unchanged ones are ignored',
    collectionType: 'map',
    map: values,
  });
  return out;
}

/** Go json rules for one announcement: keys case-insensitive, unknown keys ignored, strict types. */
function toAnnouncement(v: unknown, i: number): ParameterAnnouncement {
  const bad = (what: string): SyncgateError =>
    new SyncgateError(
      'CMP_PARAMETERS_ANNOUNCE_FAILED',
      `error unmarshaling dynamic parameter output into ParametersAnnouncementResponse: [${i}]: ${what}`,
    );
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('not an object');
  const out: ParameterAnnouncement = {};
  for (const [k, val] of Object.entries(v)) {
    if (val === null) continue;
    const key = ['name', 'title', 'tooltip', 'required', 'itemType', 'collectionType', 'string', 'array', 'map'].find(
      (f) => f.toLowerCase() === k.toLowerCase(),
    );
    if (key === undefined) continue;
    if (key === 'required') {
      if (typeof val !== 'boolean') throw bad('required must be a boolean');
      out.required = val;
    } else if (key === 'array') {
      if (!Array.isArray(val) || val.some((s) => typeof s !== 'string')) throw bad('array must be a list of strings');
      out.array = val as string[];
    } else if (key === 'map') {
      if (typeof val !== 'object' || Array.isArray(val) || Object.values(val as object).some((s) => typeof s !== 'string')) {
        throw bad('map must map strings to strings');
      }
      out.map = { ...(val as Record<string, string>) };
    } else {
      if (typeof val !== 'string') throw bad(`${key} must be a string`);
      out[key as 'name'] = val;
    }
  }
  return out;
}

/** Options of an announcement call. */
export interface AnnounceOptions {
  env?: Readonly<Record<string, string>>;
  repoRoot?: string;
  config?: GateConfig;
  deadline?: number;
  signal?: AbortSignal;
  logger?: Logger;
}

/**
 * GetParametersAnnouncement (§3.7): the dynamic command's announcements ++ the static ones, not
 * de-duplicated. `syncgate parameters` is computed in-process; any other command runs in the
 * app dir and must print a JSON array (or `null`).
 */
export async function announceParameters(appDir: string, cfg: PluginConfig, opts: AnnounceOptions = {}): Promise<ParameterAnnouncement[]> {
  const statics = cfg.spec.parameters.static.map((a) => ({ ...a }));
  const dyn = cfg.spec.parameters.dynamic;
  if (dyn.command.length === 0) return statics;
  if (isSyncgateCommand(dyn, 'parameters')) {
    return [...(await syncgateParameters(appDir, opts.repoRoot ?? appDir, opts.env?.['ARGOCD_APP_NAME'] ?? '')), ...statics];
  }
  const [file, ...args] = [...dyn.command, ...dyn.args];
  let stdout: string;
  try {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    ({ stdout } = await run({
      file: file ?? '',
      args,
      cwd: appDir,
      env: { ...env, ...opts.env },
      maxStdout: 16 * 1024 * 1024,
      ...(opts.deadline !== undefined ? { deadline: opts.deadline } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    }));
  } catch (e) {
    if (isSyncgateError(e, 'EXEC_FAILED') || isSyncgateError(e, 'EXEC_TOOL_MISSING')) {
      throw new SyncgateError(
        'CMP_PARAMETERS_ANNOUNCE_FAILED',
        `error executing dynamic parameter output command: ${formatArgv(file ?? '', args)}: ${e.message}`,
        { cause: e, details: e.details },
      );
    }
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (e) {
    throw new SyncgateError(
      'CMP_PARAMETERS_ANNOUNCE_FAILED',
      `error unmarshaling dynamic parameter output into ParametersAnnouncementResponse: ${(e as Error).message}`,
    );
  }
  if (parsed !== null && !Array.isArray(parsed)) {
    throw new SyncgateError('CMP_PARAMETERS_ANNOUNCE_FAILED', 'error unmarshaling dynamic parameter output into ParametersAnnouncementResponse: not a JSON array');
  }
  return [...(parsed ?? []).map(toAnnouncement), ...statics];
}

/** Exposed for the CLI: the announcement list as JSON, Go's omitempty applied. */
export function announcementsJson(list: readonly ParameterAnnouncement[]): string {
  return JSON.stringify(list.map((a) => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined && v !== '' && v !== false))));
}

