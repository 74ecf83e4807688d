import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSyncgateError } from '../../../../src/errors/index.js';
import { loadCustomPolicies } from '../../../../src/policy/cel/index.js';
import { cleanup, DEPLOYMENTS, vap, writePolicies } from './harness.js';

afterAll(cleanup);

function loadError(yaml: string): { code: string; message: string } {
  const file = writePolicies(yaml);
  try {
    loadCustomPolicies([file]);
  } catch (e) {
    if (isSyncgateError(e)) return { code: e.code, message: e.message.replace(file, '<file>') };
    throw e;
  }
  throw new Error('expected a load error');
}

const CONFIG = `apiVersion: v1
kind: ConfigMap
metadata: {name: limits}
data: {max: "1"}
`;

describe('a broken policy fails start-up with its path', () => {
  test.each([
    [
      'syntax error in a validation',
      vap('broken', `${DEPLOYMENTS}\n  validations:\n    - expression: "object.spec.replicas <="`),
      'ValidatingAdmissionPolicy/broken: validations[0].expression: syntax error: 1:22: found < but expecting end of input',
    ],
    [
      'unknown function',
      vap(
        'fn',
        `${DEPLOYMENTS}\n  validations:\n    - expression: "true"\n    - expression: "object.metadata.name.shout() == 'X'"`,
      ),
      "ValidatingAdmissionPolicy/fn: validations[1].expression: undeclared reference to 'shout'",
    ],
    [
      'wrong arity',
      vap(
        'ar',
        `${DEPLOYMENTS}\n  validations:\n    - expression: "object.metadata.name.startsWith('a', 'b')"`,
      ),
      "ValidatingAdmissionPolicy/ar: validations[0].expression: found no matching overload for 'startsWith' with 2 argument(s) as a method",
    ],
    [
      'unknown variable',
      vap('uv', `${DEPLOYMENTS}\n  validations:\n    - expression: "obj.spec.replicas < 3"`),
      "ValidatingAdmissionPolicy/uv: validations[0].expression: undeclared reference to 'obj'",
    ],
    [
      'authorizer',
      vap(
        'az',
        `${DEPLOYMENTS}\n  validations:\n    - expression: "authorizer.group('apps').resource('deployments').check('create').allowed()"`,
      ),
      "ValidatingAdmissionPolicy/az: validations[0].expression: undeclared reference to 'authorizer': syncgate renders offline and has no authorizer",
    ],
    [
      'undefined variables.x',
      vap('vx', `${DEPLOYMENTS}\n  validations:\n    - expression: "variables.missing"`),
      "ValidatingAdmissionPolicy/vx: validations[0].expression: undefined variable 'variables.missing'",
    ],
    [
      'a variable reading a later variable',
      vap(
        'order',
        `${DEPLOYMENTS}\n  variables:\n    - {name: a, expression: "variables.b"}\n    - {name: b, expression: "1"}\n  validations: [{expression: "variables.a == 1"}]`,
      ),
      "ValidatingAdmissionPolicy/order: variables[0].expression: undefined variable 'variables.b'",
    ],
    [
      'a broken messageExpression',
      vap('me', `${DEPLOYMENTS}\n  validations:\n    - expression: "true"\n      messageExpression: "'a' +"`),
      'ValidatingAdmissionPolicy/me: validations[0].messageExpression: syntax error:',
    ],
    [
      'a broken matchCondition',
      vap(
        'mc',
        `${DEPLOYMENTS}\n  matchConditions: [{name: x, expression: "nope()"}]\n  validations: [{expression: "true"}]`,
      ),
      "ValidatingAdmissionPolicy/mc: matchConditions[0].expression: undeclared reference to 'nope'",
    ],
    [
      'optional syntax',
      vap('opt', `${DEPLOYMENTS}\n  validations: [{expression: "object.?spec.?replicas.orValue(1) < 3"}]`),
      'ValidatingAdmissionPolicy/opt: validations[0].expression: syntax error:',
    ],
    [
      'an empty expression',
      vap('empty', `${DEPLOYMENTS}\n  validations: [{expression: " "}]`),
      'ValidatingAdmissionPolicy/empty: validations[0].expression: expression is empty',
    ],
  ])('%s', (_, yaml, want) => {
    const e = loadError(yaml);
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(`<file>: ${want}`);
    expect(e.message.startsWith('<file>: ')).toBe(true);
  });

  test('the optional-syntax error says what to use instead', () => {
    const e = loadError(
      vap('opt', `${DEPLOYMENTS}\n  validations: [{expression: "object.?spec.orValue({}) == {}"}]`),
    );
    expect(e.message).toMatch(/optional syntax `\?\.`\/`\[\?\]` is not supported: use has\(\)\)$/);
  });
});

describe('configuration mistakes are coded errors naming the object', () => {
  test.each([
    [
      'a binding naming a missing policy',
      vap('p', `${DEPLOYMENTS}\n  validations: [{expression: "true"}]`) +
        '---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: stray}\nspec: {policyName: ghost, validationActions: [Deny]}\n',
      '<file>: ValidatingAdmissionPolicyBinding/stray: spec.policyName: no ValidatingAdmissionPolicy named ghost',
    ],
    [
      'a Deny paramRef whose params are not shipped',
      vap(
        'pr',
        `  paramKind: {apiVersion: v1, kind: ConfigMap}\n${DEPLOYMENTS}\n  validations: [{expression: "true"}]`,
        'validationActions: [Deny]\nparamRef: {name: absent, namespace: platform, parameterNotFoundAction: Deny}',
      ),
      '<file>: ValidatingAdmissionPolicyBinding/pr-binding: spec.paramRef: no ConfigMap/platform/absent (v1) shipped with the custom policies and parameterNotFoundAction is Deny',
    ],
    [
      'a paramKind without paramRef',
      vap(
        'nr',
        `  paramKind: {apiVersion: v1, kind: ConfigMap}\n${DEPLOYMENTS}\n  validations: [{expression: "true"}]`,
      ) + `---\n${CONFIG}`,
      '<file>: ValidatingAdmissionPolicyBinding/nr-binding: spec.paramRef: required because policy nr has a paramKind',
    ],
    [
      'a paramRef without paramKind',
      vap(
        'nk',
        `${DEPLOYMENTS}\n  validations: [{expression: "true"}]`,
        'validationActions: [Deny]\nparamRef: {name: limits, parameterNotFoundAction: Deny}',
      ) + `---\n${CONFIG}`,
      '<file>: ValidatingAdmissionPolicyBinding/nk-binding: spec.paramRef: policy nk has no paramKind',
    ],
    [
      'paramRef with both name and selector',
      vap(
        'both',
        `  paramKind: {apiVersion: v1, kind: ConfigMap}\n${DEPLOYMENTS}\n  validations: [{expression: "true"}]`,
        'validationActions: [Deny]\nparamRef: {name: limits, selector: {}, parameterNotFoundAction: Deny}',
      ),
      '<file>: ValidatingAdmissionPolicyBinding/both-binding: spec.paramRef: exactly one of name or selector is required',
    ],
    [
      'a binding without validationActions',
      vap('va', `${DEPLOYMENTS}\n  validations: [{expression: "true"}]`, 'validationActions: []'),
      '<file>: ValidatingAdmissionPolicyBinding/va-binding: spec.validationActions: validationActions is required',
    ],
    [
      'an unknown validation action',
      vap('vb', `${DEPLOYMENTS}\n  validations: [{expression: "true"}]`, 'validationActions: [Block]'),
      '<file>: ValidatingAdmissionPolicyBinding/vb-binding: spec.validationActions[0]: Invalid option: expected one of "Deny"|"Warn"|"Audit"',
    ],
    [
      'a policy without validations',
      vap('nv', `${DEPLOYMENTS}\n  validations: []`),
      '<file>: ValidatingAdmissionPolicy/nv: spec.validations: a policy needs at least one validation',
    ],
    [
      'a bad selector operator',
      vap(
        'so',
        `${DEPLOYMENTS}\n    objectSelector: {matchExpressions: [{key: a, operator: Exists, values: [x]}]}\n  validations: [{expression: "true"}]`,
      ),
      '<file>: ValidatingAdmissionPolicy/so: spec.matchConstraints.objectSelector.matchExpressions[0]: In/NotIn need values; Exists/DoesNotExist take none',
    ],
    [
      'a bad severity annotation',
      vap(
        'sev',
        `${DEPLOYMENTS}\n  validations: [{expression: "true"}]`,
        'validationActions: [Deny]',
        '    syncgate.dev/severity: urgent',
      ),
      '<file>: ValidatingAdmissionPolicy/sev: metadata.annotations.syncgate.dev/severity: must be one of low, medium, high, critical',
    ],
    [
      'a policy without any binding',
      vap('lonely', `${DEPLOYMENTS}\n  validations: [{expression: "true"}]`).split('---')[0] ?? '',
      '<file>: ValidatingAdmissionPolicy/lonely: no ValidatingAdmissionPolicyBinding names this policy',
    ],
    [
      'a duplicate policy',
      vap('dup', `${DEPLOYMENTS}\n  validations: [{expression: "true"}]`) +
        '---\n' +
        (vap('dup', `${DEPLOYMENTS}\n  validations: [{expression: "true"}]`).split('---')[0] ?? ''),
      '<file>: ValidatingAdmissionPolicy/dup: duplicate of the one in <file>',
    ],
    [
      'an old API version',
      'apiVersion: admissionregistration.k8s.io/v1beta1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: old}\nspec: {}\n',
      '<file>: ValidatingAdmissionPolicy/old: apiVersion admissionregistration.k8s.io/v1beta1 is not supported, use admissionregistration.k8s.io/v1',
    ],
    [
      'a policy without matchConstraints',
      vap('nm', `  validations: [{expression: "true"}]`),
      '<file>: ValidatingAdmissionPolicy/nm: spec.matchConstraints.resourceRules: required, a policy without them matches nothing',
    ],
    [
      'a resource rule with no operations',
      vap(
        'noops',
        `  matchConstraints:\n    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [], resources: [deployments]}]\n  validations: [{expression: "true"}]`,
      ),
      '<file>: ValidatingAdmissionPolicy/noops: spec.matchConstraints.resourceRules[0].operations: must list at least one entry (or "*")',
    ],
    [
      'a document that is not an object',
      '- a\n- b\n',
      '<file>: document 1: not a Kubernetes object with apiVersion, kind and metadata.name',
    ],
    ['invalid YAML', 'a: [b\n', '<file>: document 1'],
  ])('%s', (_, yaml, want) => {
    const e = loadError(yaml);
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message.replaceAll(/\/tmp\/syncgate-cel-[^/]+\/policies\.yaml/g, '<file>')).toContain(want);
  });

  test('a missing path is a config error naming it', () => {
    expect(() => loadCustomPolicies(['/nonexistent/policies'])).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: '/nonexistent/policies: custom policy path cannot be read: ENOENT',
      }),
    );
  });
});

describe('directories', () => {
  test('are read recursively in name order, YAML and JSON only, policies and bindings in separate files', () => {
    const root = join(writePolicies('# empty\n', 'README.yaml'), '..');
    mkdirSync(join(root, 'b'));
    writeFileSync(
      join(root, 'b', 'binding.yml'),
      vap('split', `${DEPLOYMENTS}\n  validations: [{expression: "true"}]`).split('---\n')[1] ?? '',
    );
    writeFileSync(
      join(root, 'a.yaml'),
      vap('split', `${DEPLOYMENTS}\n  validations: [{expression: "true"}]`).split('---')[0] ?? '',
    );
    writeFileSync(join(root, 'notes.txt'), 'not: [yaml');
    expect(loadCustomPolicies([root]).map((p) => p.id)).toEqual(['custom/split']);
  });

  test('no paths, no policies', () => {
    expect(loadCustomPolicies([])).toEqual([]);
  });
});
