// toYamlStream writes values so that Kubernetes reads back the same values (`-o yaml`, Flux
// re-parse): test/fixtures/codec/roundtrip-upstream.json records, for each value below, our YAML
// and what k8s.io/apimachinery + sigs.k8s.io/yaml read from it. CI checks that our output is still
// that text and that upstream's reading equals the value. Regenerate (needs Go) with
// K8S_ORACLE_REGEN=1 after changing the serialiser or this table.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocuments, toYamlStream } from '../../../src/k8s/index.js';
import { canon } from './canon.js';

const fixtures = fileURLToPath(new URL('../../fixtures/codec/', import.meta.url));
const cases = JSON.parse(readFileSync(join(fixtures, 'cases.json'), 'utf8')) as { name: string; input: string }[];

const strings = new Set<string>();
for (const c of cases) {
  const m = /^v: (.*)\n$/s.exec(c.input);
  if (c.name.startsWith('scalar ') && m?.[1] !== undefined) strings.add(m[1]);
}
for (const s of ['0o17', '0o0', 'yes', 'on', 'y', 'n', '1:0', '190:20:30', '2001-01-01', '2001-12-14t21:59:43.10-05:00', '~', '', ' lead', 'trail ', 'a: b', '- x', '#c', 'a #c',
  'multi\nline', 'multi\nline\n', 'tab\there', '<<', '=', '1e3', '.inf', '0x1F', '08', '1_', '9007199254740993', "'", '"', '\\', '{a}', '[x]', '&a', '*a', '!t', '%x', '@x', '`x', '|', '>',
  '? x', '---', '...', 'é', '\ufeffbom', 'a\ufeffb', 'x\u2028y', 'x\u2029y', 'x\u0085y', 'x\u0090y', 'x\ufffey', '\u0000', '\u007f', '\t', ' ', '-', '+', '0', '-0', '.5', '1.', '+12', '0b101', '1__0', '0o1_7', 'null', 'NULL', 'Null', 'true', 'TRUE', 'off']) {
  strings.add(s);
}

const values: [string, unknown][] = [];
for (const s of strings) {
  values.push([`string value ${JSON.stringify(s)}`, { v: s }]);
  values.push([`string key ${JSON.stringify(s)}`, { [s]: 'x' }]);
}
for (const [n, v] of [
  ['0', 0], ['-1', -1], ['1.5', 1.5], ['1e21', 1e21], ['-1e21', -1e21], ['1e-7', 1e-7], ['0.1', 0.1], ['2^53-1', 9007199254740991], ['1e20', 1e20],
  ['int64 9007199254740993', 9007199254740993n], ['int64 min', -9223372036854775808n], ['uint64 max', 18446744073709551615n], ['true', true], ['false', false], ['null', null],
] as const) {
  values.push([`number ${n}`, { v }]);
}
values.push(['nested', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { yes: 'no', '0o17': '0o17' } }, data: { list: ['1:0', 1, 'on', [], {}], deep: { x: { y: ['2001-01-01'] } } } }]);

const file = join(fixtures, 'roundtrip-upstream.json');

if (process.env['K8S_ORACLE_REGEN'] === '1') {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-oracle-'));
  try {
    const input = join(dir, 'in.json');
    writeFileSync(input, JSON.stringify(values.map(([name, v]) => ({ name, input: toYamlStream([v]) }))));
    const r = spawnSync('bash', [fileURLToPath(new URL('../../../scripts/k8s-yaml-oracle.sh', import.meta.url)), input, file], { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) throw new Error(`k8s-yaml-oracle failed: ${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const recorded = new Map((JSON.parse(readFileSync(file, 'utf8')) as { name: string; input: string; docs?: unknown[]; error?: string }[]).map((r) => [r.name, r]));

test('every value of the table was read by upstream', () => {
  expect(values.length).toBeGreaterThanOrEqual(200);
  expect(values.filter(([n]) => !recorded.has(n)).map(([n]) => n)).toEqual([]);
});

test.each(values)('%s: Kubernetes reads back what toYamlStream wrote', (name, v) => {
  const rec = recorded.get(name);
  expect(rec?.input).toBe(toYamlStream([v]));
  expect(rec?.error).toBeUndefined();
  expect(rec?.docs).toEqual([canon(v)]);
  // and so does our own decoder
  expect(parseDocuments(toYamlStream([v]), 'rt').map(canon)).toEqual([canon(v)]);
});
