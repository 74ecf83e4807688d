// Types after postBuild substitution: kustomize-controller re-parses each substituted object with
// sigs.k8s.io/yaml (go-yaml v2 resolution, then JSON), so `12:30:00` and `2024-01-02` stay strings
// and `0o17` is 15. The expected values in test/fixtures/flux/parity/types.json are what
// fluxcd/pkg's SubstituteVariables produced for `v: ${V}` (test/fixtures/flux/parity/gen, `types`
// mode). syncgate's re-parse goes through the shared codec (parseDocuments in src/k8s), so these
// cases pass once that codec has Kubernetes' scalar semantics (issue 10, part 1).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSyncgateError } from '../../../src/errors/index.js';
import { substituteObject } from '../../../src/flux/index.js';
import type { K8sObject } from '../../../src/k8s/index.js';

interface TypeCase {
  value: string;
  result?: unknown;
  error?: string;
}

const CASES = JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/flux/parity/types.json'), 'utf8')) as TypeCase[];

const object = (): K8sObject => ({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't' }, spec: { v: '${V}' } });

test.each(CASES)('V=$value substituted into v: ${V} is what Flux applies', ({ value, result, error }) => {
  const run = (): unknown => {
    const out = substituteObject(object(), new Map([['V', value]]), { strict: true, strategy: 'WithVariables' });
    return (out['spec'] as { v: unknown }).v;
  };
  if (error !== undefined) {
    expect(() => run()).toThrow(expect.objectContaining({ code: 'FLUX_SUBSTITUTE_FAILED' }) as Error);
    return;
  }
  let got: unknown;
  try {
    got = run();
  } catch (e) {
    got = isSyncgateError(e) ? `${e.code}: ${e.message}` : e;
  }
  // Flux's value went through JSON: compare in that form (a Date becomes its ISO string and fails).
  expect(JSON.parse(JSON.stringify({ v: got ?? null })) as unknown).toEqual({ v: result });
});
