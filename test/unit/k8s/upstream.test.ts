// The codec against Kubernetes itself: test/fixtures/codec/upstream.json holds, for every input
// of cases.json, what k8s.io/apimachinery's YAMLOrJSONDecoder + sigs.k8s.io/yaml produce
// (scripts/k8s-yaml-oracle, regenerated with `scripts/k8s-yaml-oracle.sh`; CI only reads it).
import { readFileSync } from 'node:fs';
import { parseDocuments } from '../../../src/k8s/index.js';
import { SyncgateError } from '../../../src/errors/index.js';
import { canon } from './canon.js';

interface Case {
  name: string;
  input: string;
  docs?: unknown[];
  error?: string;
}

const cases = JSON.parse(readFileSync(new URL('../../fixtures/codec/upstream.json', import.meta.url), 'utf8')) as Case[];

test('the table covers every category with at least 100 cases', () => {
  expect(cases.length).toBeGreaterThanOrEqual(100);
  for (const cat of ['scalar int', 'scalar float', 'scalar inf-nan', 'scalar bool', 'scalar null', 'scalar timestamp', 'scalar sexagesimal', 'tag ', 'key ', 'merge ', 'anchor ', 'alias ', 'duplicate ', 'bom ', 'crlf', 'json ', 'stream ', 'error ']) {
    expect(cases.some((c) => c.name.startsWith(cat))).toBe(true);
  }
});

describe('codec matches Kubernetes', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    let got: unknown;
    try {
      got = { docs: parseDocuments(c.input, 'case.yaml').map(canon) };
    } catch (e) {
      if (!(e instanceof SyncgateError)) throw e;
      expect(['K8S_YAML_INVALID', 'LIMIT_EXCEEDED']).toContain(e.code);
      expect(e.message.startsWith('case.yaml: ')).toBe(true);
      got = { error: true };
    }
    expect(got).toEqual(c.error !== undefined ? { error: true } : { docs: c.docs });
  });
});
