// Custom policies through the policy engine: loaded from spec.policies.custom, findings and the
// decision carry the VAP's id, severity and the binding's validationActions mode.
import { describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { parseConfig } from '../../../../src/config/index.js';
import { decide, scanSync } from '../../../../src/policy/index.js';
import { ctxFor, deployment, res } from './harness.js';

const FIXTURES = join(process.cwd(), 'test/fixtures/policy/cel');

function config(custom: string[]) {
  return parseConfig({
    apiVersion: 'syncgate.dev/v1alpha1',
    kind: 'GateConfig',
    spec: { policies: { packs: [], custom } },
  });
}

describe('custom policies in the engine', () => {
  test('a violating Deployment is refused with the custom finding', () => {
    const cfg = config([join(FIXTURES, 'basic')]);
    const resources = [res(deployment('web', { replicas: 7 })), res(deployment('ok', { replicas: 2 }))];
    const result = scanSync({ resources, context: ctxFor(resources).context, config: cfg, scope: 'app' });
    expect(result.findings.map((f) => [f.policy, f.object, f.mode, f.severity, f.path, f.message])).toEqual([
      [
        'custom/replica-limit',
        'Deployment/team-a/web',
        'enforce',
        'medium',
        'validations[0]',
        'replicas 7 exceed the limit 5',
      ],
    ]);
    expect(decide(result, cfg).refused).toBe(true);
  });

  test('a broken policy file fails when the engine loads the config', () => {
    const cfg = config([join(FIXTURES, 'broken')]);
    const resources = [res(deployment('web'))];
    expect(() =>
      scanSync({ resources, context: ctxFor(resources).context, config: cfg, scope: 'app' }),
    ).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: `${join(FIXTURES, 'broken', 'policy.yaml')}: ValidatingAdmissionPolicy/broken-replicas: validations[0].expression: undeclared reference to 'replicaz'`,
      }),
    );
  });
});
