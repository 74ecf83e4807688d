import { identity, parseJson, parseResources, resolveScalar, toJson, toYamlStream } from '../../../src/k8s/index.js';
import { SyncgateError } from '../../../src/errors/index.js';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof SyncgateError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('k8s codec', () => {
  test('multi-document YAML, empty documents skipped, List expanded', () => {
    const text = [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n',
      '',
      'null',
      'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: s}}\n',
    ].join('\n---\n');
    const rs = parseResources(text, 'app.yaml');
    expect(rs.map((r) => identity(r.object))).toEqual(['ConfigMap/x/a', 'Service/s']);
    expect(rs[1]?.source).toBe('app.yaml');
  });

  test('YAML 1.1 values are read as the cluster reads them', () => {
    const [r] = parseResources('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {on: yes, mode: 0755}\n', 'f');
    // sigs.k8s.io/yaml (go-yaml v2) parses `yes` as true and 0755 as octal
    expect(r?.object['data']).toEqual({ true: true, mode: 493 });
  });

  test('JSON documents parse', () => {
    const rs = parseResources('{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}}', 'x.json');
    expect(identity(rs[0]!.object)).toBe('Secret/s');
  });

  test.each([
    ['kind: ConfigMap\nmetadata: {name: a}\n', 'K8S_OBJECT_INVALID: f.yaml: document 1: missing apiVersion'],
    ['apiVersion: v1\nmetadata: {name: a}\n', 'K8S_OBJECT_INVALID: f.yaml: document 1: missing kind'],
    ['apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: a-}\n', 'K8S_OBJECT_INVALID: f.yaml: document 1: missing metadata.name'],
    ['- a\n- b\n', 'K8S_OBJECT_INVALID: f.yaml: document 1: not a mapping'],
    ['a: [unclosed\n', 'K8S_YAML_INVALID'],
  ])('rejects %j', (text, want) => {
    expect(codeOf(() => parseResources(text, 'f.yaml'))).toContain(want);
  });

  test('round trip', () => {
    const objs = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { x: 'on' } }];
    const back = parseResources(toYamlStream(objs), 'rt');
    expect(back[0]?.object).toEqual(objs[0]);
  });
});

describe('Kubernetes values the policies see (issue 10)', () => {
  const pod = (sc: string): Record<string, unknown> =>
    parseResources(`apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n${sc}`, 'pod.yaml')[0]!.object['spec'] as Record<string, unknown>;

  test.each([
    ['    runAsUser: 0o0\n', { runAsUser: 0 }],
    ['    runAsUser: 0x0\n', { runAsUser: 0 }],
    ['    runAsUser: 0_0\n', { runAsUser: 0 }],
    ['    seLinuxOptions: {type: 1:0, user: 190:20:30, role: 2001-01-01}\n', { seLinuxOptions: { type: '1:0', user: '190:20:30', role: '2001-01-01' } }],
    ['    runAsUser: 9223372036854775807\n', { runAsUser: 9223372036854775807n }],
  ])('%j', (sc, want) => {
    expect(pod(sc)['securityContext']).toEqual(want);
  });

  test('toJson writes integers beyond 2^53 exactly, and JSON.stringify output otherwise', () => {
    const o = { a: 9007199254740993n, b: [-9223372036854775808n, 1.5, 'x'], c: { d: 18446744073709551615n } };
    expect(toJson(o)).toBe('{"a":9007199254740993,"b":[-9223372036854775808,1.5,"x"],"c":{"d":18446744073709551615}}');
    expect(toJson({ a: 1, s: '\u0001' })).toBe(JSON.stringify({ a: 1, s: '\u0001' }));
    expect(parseJson(toJson(o), 'j')).toEqual(o);
    expect(toJson(o, 2)).toContain('"a": 9007199254740993,');
  });

  test('a kubectl get -o json pipe (concatenated objects) is read as kubectl reads it', () => {
    const text = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}\n{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}\n';
    expect(parseResources(text, 'get.json').map((r) => identity(r.object))).toEqual(['ConfigMap/a', 'ConfigMap/b']);
  });

  test('resolveScalar is go-yaml v2 for plain scalars (for the SOPS emitter)', () => {
    expect(['0o17', 'yes', '~', '1:0', '2001-01-01', '08', '9223372036854775808', '!x'].map((s) => resolveScalar(s))).toEqual([15, true, null, '1:0', '2001-01-01', 8, 9223372036854775808n, '!x']);
    expect(resolveScalar('12', false)).toBe('12');
    expect(resolveScalar('12', false, 'tag:yaml.org,2002:int')).toBe(12);
  });
});
