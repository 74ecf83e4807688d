import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SyncgateError } from '../errors/index.js';
import { gateConfigSchema, type GateConfig } from './schema.js';

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/** Validates a parsed config value; every problem is reported with its path. */
export function parseConfig(value: unknown, source = '<config>'): GateConfig {
  const r = gateConfigSchema.safeParse(value);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new SyncgateError('CONFIG_INVALID', `${source}: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
  return deepFreeze(r.data);
}

/** The config used when no file is given: every default. */
export function defaultConfig(): GateConfig {
  return parseConfig({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig' }, '<defaults>');
}

/** Reads, validates and freezes a GateConfig file; `undefined` path → defaults. */
export function loadConfig(path: string | undefined): GateConfig {
  if (path === undefined || path === '') return defaultConfig();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SyncgateError('CONFIG_NOT_FOUND', `${path}: cannot read config: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let value: unknown;
  try {
    value = parse(text, { prettyErrors: false });
  } catch (e) {
    throw new SyncgateError('CONFIG_INVALID', `${path}: not valid YAML: ${(e as Error).message.split('\n')[0] ?? ''}`);
  }
  return parseConfig(value, path);
}

/** JSON Schema of the config file, for editors and docs. */
export function configJsonSchema(): unknown {
  return gateConfigSchema.toJSONSchema({ io: 'input', unrepresentable: 'any' });
}
