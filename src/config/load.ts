import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SyncgateError } from '../errors/index.js';
import { gateConfigSchema, type GateConfig } from './schema.js';
import { DURATION_PATTERN, durationInput } from './units.js';

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
    const problems = r.error.issues.map(
      (i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`,
    );
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
    throw new SyncgateError(
      'CONFIG_NOT_FOUND',
      `${path}: cannot read config: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  let value: unknown;
  try {
    value = parse(text, { prettyErrors: false });
  } catch (e) {
    throw new SyncgateError(
      'CONFIG_INVALID',
      `${path}: not valid YAML: ${(e as Error).message.split('\n')[0] ?? ''}`,
    );
  }
  return parseConfig(value, path);
}

/** Where docs/gateconfig.schema.json is published: its `$id`, for editors and `# yaml-language-server: $schema=`. */
export const CONFIG_SCHEMA_ID = 'https://syncgate.dev/schemas/gateconfig-v1alpha1.schema.json';

/** JSON Schema of the config file as users write it (every field with its description), for editors and docs. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = gateConfigSchema.toJSONSchema({
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema === durationInput) {
        delete ctx.jsonSchema.anyOf;
        delete ctx.jsonSchema.type;
        Object.assign(ctx.jsonSchema, { type: 'string', pattern: DURATION_PATTERN });
      }
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return {
    $schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'syncgate GateConfig',
    description:
      'The platform config of syncgate (--config / SYNCGATE_CONFIG): policies, modes, exceptions, keys and their grants, limits. Durations need a unit (60s, 500ms); byte sizes take Kubernetes quantities (64Mi).',
    ...rest,
  };
}
