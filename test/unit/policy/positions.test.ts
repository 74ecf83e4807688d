// SARIF positions: the line of the finding's field, not of its document.
import { FieldPositions, pathSteps, toSarif } from '../../../src/policy/index.js';
import { config, res, scanObjects } from './harness.js';

const TEXT = [
  '# a comment first', // 1
  '---', // 2
  'apiVersion: v1', // 3
  'kind: ConfigMap', // 4
  'metadata: {name: c, namespace: shop}', // 5
  '---', // 6
  '---', // 7 (an empty document: skipped, as the codec skips it)
  'apiVersion: apps/v1', // 8
  'kind: Deployment', // 9
  'metadata:', // 10
  '  name: web', // 11
  '  annotations:', // 12
  '    "example.com/a.b": x', // 13
  'spec:', // 14
  '  template:', // 15
  '    spec:', // 16
  '      containers:', // 17
  '        - name: app', // 18
  '          image: r.example/app:1', // 19
  '        - name: side', // 20
  '          securityContext:', // 21
  '            privileged: true', // 22
  '          env: [{name: A, value: b}, {name: K, value: v}]', // 23
  '',
].join('\n');

test('path steps', () => {
  expect(pathSteps('spec.template.spec.containers[1].env[0].value')).toEqual(['spec', 'template', 'spec', 'containers', 1, 'env', 0, 'value']);
  expect(pathSteps('metadata.annotations["example.com/a.b"]')).toEqual(['metadata', 'annotations', 'example.com/a.b']);
  expect(pathSteps('data["a\\"b"]')).toEqual(['data', 'a"b']);
});

test.each([
  [0, 'metadata.name', 5],
  [1, 'spec.template.spec.containers[1].securityContext.privileged', 22],
  [1, 'spec.template.spec.containers[1].env[1].value', 23],
  [1, 'metadata.annotations["example.com/a.b"]', 13],
  // absent fields point at the closest present ancestor
  [1, 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation', 18],
  [1, 'spec.template.spec.containers[1].securityContext.runAsNonRoot', 21],
  [1, 'spec.template.spec.automountServiceAccountToken', 16],
  [1, 'kind', 9],
])('doc %i %s → line %i', (doc, path, line) => {
  expect(new FieldPositions(new Map([['app.yaml', TEXT]])).lineOf('app.yaml', doc, path)).toBe(line);
});

test('unknown sources and documents give no line; JSON works', () => {
  const p = new FieldPositions(new Map([['a.json', '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "spec": {\n    "hostPID": true\n  }\n}\n']]));
  expect(p.lineOf('a.json', 0, 'spec.hostPID')).toBe(5);
  expect(p.lineOf('a.json', 1, 'spec')).toBeUndefined();
  expect(p.lineOf('b.yaml', 0, 'spec')).toBeUndefined();
});

test('SARIF results carry the field line', () => {
  const obj = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'team-a' }, spec: { template: { spec: { containers: [{ name: 'app', image: 'r.example/app:1' }, { name: 'side', image: 'x', securityContext: { privileged: true } }] } } } };
  const cfg = config({ packs: ['pss-baseline'] });
  const r = scanObjects([res(obj, { source: 'app.yaml', doc: 1 })], cfg);
  const positions = new FieldPositions(new Map([['app.yaml', TEXT]]));
  const log = toSarif(r, cfg, { version: '0', lineOf: (s, d, p) => positions.lineOf(s, d, p) }) as { runs: { results: { ruleId: string; locations: { physicalLocation: { region?: { startLine: number } } }[] }[] }[] };
  const priv = log.runs[0]?.results.find((x) => x.ruleId === 'pss-baseline/privileged');
  expect(priv?.locations[0]?.physicalLocation.region).toEqual({ startLine: 22 });
});
