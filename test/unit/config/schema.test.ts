// docs/gateconfig.schema.json (exported from the zod schema): what editors validate against.
import Ajv2020 from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { configJsonSchema } from '../../../src/config/index.js';

const schema = configJsonSchema();

function undocumented(node: unknown, path: string, out: string[]): string[] {
  if (typeof node !== 'object' || node === null) return out;
  const n = node as Record<string, unknown>;
  for (const [k, v] of Object.entries((n['properties'] ?? {}) as Record<string, unknown>)) {
    if (typeof (v as Record<string, unknown>)['description'] !== 'string') out.push(`${path}.${k}`);
    undocumented(v, `${path}.${k}`, out);
  }
  if (n['items']) undocumented(n['items'], `${path}[]`, out);
  for (const k of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(n[k])) for (const x of n[k] as unknown[]) undocumented(x, path, out);
  return out;
}

describe('GateConfig JSON Schema', () => {
  test('has an $id, a title and a description for every property', () => {
    expect(schema['$id']).toBe('https://syncgate.dev/schemas/gateconfig-v1alpha1.schema.json');
    expect(schema['title']).toBe('syncgate GateConfig');
    expect(undocumented(schema, '', [])).toEqual([]);
  });

  const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: false });
  const validate = ajv.compile(schema);
  const spec = (s: unknown) => ({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig', spec: s });

  test('an editor flags a duration without a unit, as syncgate does', () => {
    expect(validate(spec({ limits: { renderTimeout: 60 } }))).toBe(false);
    expect(validate(spec({ limits: { renderTimeout: '60' } }))).toBe(false);
    expect(validate(spec({ limits: { renderTimeout: '60s' }, webhook: { timeout: '1m30s' } }))).toBe(true);
  });

  test.each(['deploy/argocd/sidecar/gateconfig.yaml', 'examples/flux/gateconfig.yaml'])('the shipped %s is valid', (file) => {
    expect(validate(parse(readFileSync(file, 'utf8')))).toBe(true);
  });
});
