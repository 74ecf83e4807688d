import { identity, parseResources, toYamlStream } from '../../../src/k8s/index.js';
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
