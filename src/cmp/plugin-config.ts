import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SyncgateError } from '../errors/index.js';
import type { ParameterAnnouncement } from './service.js';

/** A command of plugin.yaml: argv `command ++ args`, no shell. */
export interface PluginCommand {
  command: string[];
  args: string[];
}

/** plugin.yaml (`ConfigManagementPlugin`), read with Argo CD's semantics (cmpserver/plugin/config.go). */
export interface PluginConfig {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    version: string;
    init: PluginCommand;
    generate: PluginCommand;
    discover: { fileName: string; find: { glob: string; command: string[]; args: string[] } };
    parameters: { static: ParameterAnnouncement[]; dynamic: PluginCommand };
    preserveFileMode: boolean;
    provideGitCreds: boolean;
  };
  /** Where it was read from (for messages). */
  source: string;
}

type Json = Record<string, unknown>;

function isMap(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go encoding/json field lookup: an exact key wins, else the first case-insensitive match. */
function field(o: Json, key: string): unknown {
  if (key in o) return o[key];
  const lower = key.toLowerCase();
  const k = Object.keys(o).find((x) => x.toLowerCase() === lower);
  return k === undefined ? undefined : o[k];
}

class Reader {
  constructor(private readonly source: string) {}

  fail(path: string, want: string): never {
    throw new SyncgateError('CMP_PLUGIN_CONFIG_INVALID', `${this.source}: ${path}: must be ${want}`);
  }

  obj(o: Json, key: string, path: string): Json {
    const v = field(o, key);
    if (v === undefined || v === null) return {};
    if (!isMap(v)) this.fail(path, 'an object');
    return v;
  }

  str(o: Json, key: string, path: string): string {
    const v = field(o, key);
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') this.fail(path, 'a string');
    return v;
  }

  bool(o: Json, key: string, path: string): boolean {
    const v = field(o, key);
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') this.fail(path, 'a boolean');
    return v;
  }

  strings(o: Json, key: string, path: string): string[] {
    const v = field(o, key);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) this.fail(path, 'a list of strings');
    return v as string[];
  }

  command(o: Json, key: string, path: string): PluginCommand {
    const c = this.obj(o, key, path);
    return { command: this.strings(c, 'command', `${path}.command`), args: this.strings(c, 'args', `${path}.args`) };
  }

  announcement(v: unknown, path: string): ParameterAnnouncement {
    if (!isMap(v)) this.fail(path, 'an object');
    const out: ParameterAnnouncement = {};
    for (const k of ['name', 'title', 'tooltip', 'itemType', 'collectionType', 'string'] as const) {
      const s = this.str(v, k, `${path}.${k}`);
      if (s !== '') out[k] = s;
    }
    if (this.bool(v, 'required', `${path}.required`)) out.required = true;
    const arr = this.strings(v, 'array', `${path}.array`);
    if (field(v, 'array') !== undefined && field(v, 'array') !== null) out.array = arr;
    const m = field(v, 'map');
    if (m !== undefined && m !== null) {
      if (!isMap(m) || Object.values(m).some((x) => typeof x !== 'string')) this.fail(`${path}.map`, 'a map of strings');
      out.map = { ...(m as Record<string, string>) };
    }
    return out;
  }
}

/**
 * Parses plugin.yaml as Argo CD does: YAML to JSON, unknown keys ignored, keys matched
 * case-insensitively, wrong types rejected, and only three checks (metadata.name, kind,
 * spec.generate.command). Throws CMP_PLUGIN_CONFIG_INVALID.
 */
export function parsePluginConfig(text: string, source: string): PluginConfig {
  let doc: unknown;
  try {
    doc = parse(text, { version: '1.1', uniqueKeys: false });
  } catch (e) {
    throw new SyncgateError('CMP_PLUGIN_CONFIG_INVALID', `${source}: not valid YAML: ${(e as Error).message.split('\n')[0] ?? ''}`);
  }
  if (!isMap(doc)) throw new SyncgateError('CMP_PLUGIN_CONFIG_INVALID', `${source}: not a mapping`);
  const r = new Reader(source);
  const metadata = r.obj(doc, 'metadata', 'metadata');
  const spec = r.obj(doc, 'spec', 'spec');
  const discover = r.obj(spec, 'discover', 'spec.discover');
  const find = r.obj(discover, 'find', 'spec.discover.find');
  const parameters = r.obj(spec, 'parameters', 'spec.parameters');
  const staticRaw = field(parameters, 'static');
  if (staticRaw !== undefined && staticRaw !== null && !Array.isArray(staticRaw)) r.fail('spec.parameters.static', 'a list');
  const cfg: PluginConfig = {
    apiVersion: r.str(doc, 'apiVersion', 'apiVersion'),
    kind: r.str(doc, 'kind', 'kind'),
    metadata: { name: r.str(metadata, 'name', 'metadata.name') },
    spec: {
      version: r.str(spec, 'version', 'spec.version'),
      init: r.command(spec, 'init', 'spec.init'),
      generate: r.command(spec, 'generate', 'spec.generate'),
      discover: {
        fileName: r.str(discover, 'fileName', 'spec.discover.fileName'),
        find: {
          glob: r.str(find, 'glob', 'spec.discover.find.glob'),
          command: r.strings(find, 'command', 'spec.discover.find.command'),
          args: r.strings(find, 'args', 'spec.discover.find.args'),
        },
      },
      parameters: {
        static: ((staticRaw ?? []) as unknown[]).map((a, i) => r.announcement(a, `spec.parameters.static[${i}]`)),
        dynamic: r.command(parameters, 'dynamic', 'spec.parameters.dynamic'),
      },
      preserveFileMode: r.bool(spec, 'preserveFileMode', 'spec.preserveFileMode'),
      provideGitCreds: r.bool(spec, 'provideGitCreds', 'spec.provideGitCreds'),
    },
    source,
  };
  // The three checks of Argo CD's ValidatePluginConfig, with its messages.
  if (cfg.metadata.name === '') throw new SyncgateError('CMP_PLUGIN_CONFIG_INVALID', `${source}: metadata.name is empty`);
  if (cfg.kind !== 'ConfigManagementPlugin') {
    throw new SyncgateError('CMP_PLUGIN_CONFIG_INVALID', `${source}: invalid plugin configuration file. kind should be ConfigManagementPlugin, found ${cfg.kind}`);
  }
  if (cfg.spec.generate.command.length === 0) {
    throw new SyncgateError('CMP_PLUGIN_CONFIG_INVALID', `${source}: invalid plugin configuration file. spec.generate command should be non-empty`);
  }
  return Object.freeze(cfg);
}

/** Reads and parses plugin.yaml; CMP_PLUGIN_CONFIG_NOT_FOUND when it cannot be read. */
export function loadPluginConfig(path: string): PluginConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SyncgateError('CMP_PLUGIN_CONFIG_NOT_FOUND', `${path}: cannot read plugin config: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parsePluginConfig(text, path);
}

/** The socket file name Argo CD finds the plugin by: `<name>-<version>.sock`, or `<name>.sock` without a version. */
export function socketName(cfg: Pick<PluginConfig, 'metadata' | 'spec'>): string {
  return cfg.spec.version === '' ? `${cfg.metadata.name}.sock` : `${cfg.metadata.name}-${cfg.spec.version}.sock`;
}

/** True when argv `command ++ args` is syncgate's own `<sub>` command (evaluated in-process, nothing spawned). */
export function isSyncgateCommand(cmd: Pick<PluginCommand, 'command' | 'args'>, sub: string): boolean {
  const argv = [...cmd.command, ...cmd.args];
  const bin = argv[0]?.split('/').pop();
  return argv.length === 2 && bin === 'syncgate' && argv[1] === sub;
}
