// `syncgate test`: the bundled examples pass; a wrong expectation fails with want/got and the
// findings behind it; malformed test files are POLICY_TEST_INVALID naming the file; JUnit output.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSyncgateError } from '../../../src/errors/index.js';
import { findTestFiles, runTestFile, testJunit } from '../../../src/policy/index.js';

const examples = join(process.cwd(), 'examples', 'policy-tests');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'policy-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('the bundled examples pass', async () => {
  const files = findTestFiles(examples);
  expect(files.map((f) => f.slice(examples.length + 1))).toEqual(['builtin/syncgate-test.yaml', 'require-team-label/syncgate-test.yaml']);
  for (const f of files) {
    const r = await runTestFile(f, examples);
    expect(r.results.filter((x) => !x.ok)).toEqual([]);
    expect(r.results.length).toBeGreaterThan(3);
  }
});

test('a wrong expectation fails with want, got and the findings; unknown resources and policies fail too', async () => {
  cpSync(join(examples, 'require-team-label'), dir, { recursive: true });
  const file = join(dir, 'syncgate-test.yaml');
  const text = readFileSync(file, 'utf8')
    .replace('resources: [Deployment/shop/web]\n    result: pass', 'resources: [Deployment/shop/web]\n    result: fail')
    .replace('resources: [api]\n    kind: Deployment\n    result: fail', 'resources: [api, nope]\n    kind: Deployment\n    result: pass')
    .concat('  - policy: pss-baseline/privileged\n    resources: [Deployment/shop/web]\n    result: pass\n');
  writeFileSync(file, text);
  const r = await runTestFile(file, dir);
  const failed = r.results.filter((x) => !x.ok).map((x) => ({ policy: x.policy, resource: x.resource, want: x.want, got: x.got, detail: x.detail }));
  expect(failed).toEqual([
    { policy: 'custom/require-team-label', resource: 'Deployment/shop/web', want: 'fail', got: 'pass', detail: [] },
    { policy: 'custom/require-team-label', resource: 'Deployment/shop/api', want: 'pass', got: 'fail', detail: ['enforce: validations[0] — Deployment api has no team label'] },
    { policy: 'custom/require-team-label', resource: 'Deployment/nope', want: 'pass', got: 'missing', detail: ["no resource Deployment/nope in the test's resources"] },
    { policy: 'pss-baseline/privileged', resource: 'Deployment/shop/web', want: 'pass', got: 'missing', detail: ["policy pss-baseline/privileged does not run under this test's config (not in its packs or policies, or disabled)"] },
  ]);
  const xml = testJunit([r]);
  expect(xml).toContain('<testsuites name="syncgate test" tests="6" failures="4">');
  expect(xml).toContain('<failure type="custom/require-team-label" message="want pass, got fail">want pass, got fail\nenforce: validations[0] — Deployment api has no team label</failure>');
  expect(xml).toContain('<testcase classname="syncgate-test.yaml" name="custom/require-team-label StatefulSet/shop/legacy-batch skip"/>');
});

test.each([
  ['not yaml', 'a: [', /^syncgate-test\.yaml: /],
  ['wrong kind', 'apiVersion: syncgate.dev/v1alpha1\nkind: Tset\nmetadata: {name: t}\nresources: [r.yaml]\nresults: [{policy: p, resources: [x], result: pass}]\n', /^syncgate-test\.yaml: kind: /],
  ['bad result', 'apiVersion: syncgate.dev/v1alpha1\nkind: Test\nmetadata: {name: t}\nresources: [r.yaml]\nresults: [{policy: p, resources: [x], result: denied}]\n', /^syncgate-test\.yaml: results\.0\.result: /],
  ['missing resources file', 'apiVersion: syncgate.dev/v1alpha1\nkind: Test\nmetadata: {name: t}\nresources: [r.yaml]\nresults: [{policy: p, resources: [x], result: pass}]\n', /^syncgate-test\.yaml: resources r\.yaml: .*cannot read: ENOENT$/],
  ['a policy that does not compile', 'apiVersion: syncgate.dev/v1alpha1\nkind: Test\nmetadata: {name: t}\npolicies: [p.yaml]\nresources: [p.yaml]\nresults: [{policy: p, resources: [x], result: pass}]\n', /^syncgate-test\.yaml: .*p\.yaml: /],
])('%s is POLICY_TEST_INVALID', async (_name, content, message) => {
  writeFileSync(join(dir, 'syncgate-test.yaml'), content);
  writeFileSync(join(dir, 'p.yaml'), 'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: p}\nspec: {matchConstraints: {resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]}, validations: [{expression: "object.nope("}]}\n');
  try {
    await runTestFile(join(dir, 'syncgate-test.yaml'), dir);
    throw new Error('no error');
  } catch (e) {
    expect(isSyncgateError(e) && e.code).toBe('POLICY_TEST_INVALID');
    expect((e as Error).message.replace(`${dir}/`, '')).toMatch(message);
  }
});

test('a directory without test files is POLICY_TEST_INVALID', () => {
  expect(() => findTestFiles(dir)).toThrow(/no syncgate-test\.yaml found/);
});
