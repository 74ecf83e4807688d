// The fast manifest loader (render output, `syncgate scan`) must read every value exactly as the shared codec
// (YAML 1.1) does, and fail with the codec's errors: a differential test over tricky scalars,
// structures and every YAML fixture in the repo.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocumentsExact as parseDocuments } from '../../../src/k8s/index.js';
import { isSyncgateError } from '../../../src/errors/index.js';
import { loadDocuments } from '../../../src/k8s/load-yaml.js';

const SCALARS = [
  '', '~', 'null', 'Null', 'NULL', 'nULL', 'y', 'Y', 'yes', 'Yes', 'YES', 'yEs', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF',
  'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'tRUE', '0', '00', '0755', '0o755', '0789', '-0755', '+12', '1_000', '0b1010', '-0b11', '0x1F', '0xdead_beef',
  '0X1F', '12345678901234567890', '1.5', '-.5', '.5', '1.', '1.50', '1e3', '1E-3', '1.5e+3', '1_0.2_5', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'nan',
  '190:20:30', '-1:30', '1:30.5', '1:60', '2026-03-01', '2026-3-1', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2001-12-15T02:59:43.1Z',
  '2026-13-45', 'v1.30', '1.2.3', '"0755"', "'yes'", '"on"', 'latest', '"123"', '=', '<<',
];

describe('fast loader agrees with the codec', () => {
  test.each(SCALARS)('scalar %s', (s) => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  v: ${s}\n  list: [${s === '' ? '~' : s}]\n`;
    expect(loadDocuments(text, 'f.yaml')).toEqual(parseDocuments(text, 'f.yaml'));
  });

  test.each([
    ['merge keys', 'base: &b {a: 1}\nx:\n  <<: *b\n  c: 2\n'],
    ['plain merge without alias', 'x:\n  <<: {a: 1}\n  c: 2\n'],
    ['duplicate keys (last wins)', 'a: 1\na: 2\n'],
    ['empty and comment-only documents', '---\n# c\n---\na: 1\n---\n---\nb: 2\n...\n'],
    ['block scalars', 'a: |\n  line 1\n  line 2\nb: >-\n  folded\n  text\n'],
    ['non-string keys', '1: a\ntrue: b\non: c\n~: d\n0755: e\n'],
    ['tags go to the codec', 'a: !!str 0755\nb: !!binary aGk=\n'],
    ['directives go to the codec', '%YAML 1.1\n---\na: yes\n'],
    ['complex keys', '? [a, b]\n: c\n{x: 1}: y\n'],
    ['list of flow maps stays fast and equal', 'env:\n- {name: a, value: "1"}\n- {name: b, value: yes}\n'],
    ['nested flow and quotes', 'a: {b: [1, "2", \'3\', yes, {c: off}]}\n'],
  ])('%s', (_n, text) => {
    expect(loadDocuments(text, 'f.yaml')).toEqual(parseDocuments(text, 'f.yaml'));
  });

  test.each(['a: [\n', 'v: a: b\n', '- a\nb: c\n', 'a: "unterminated\n'])('invalid %j fails with the codec error', (text) => {
    let mine: unknown;
    let theirs: unknown;
    try { loadDocuments(text, 'f.yaml'); } catch (e) { mine = e; }
    try { parseDocuments(text, 'f.yaml'); } catch (e) { theirs = e; }
    expect(isSyncgateError(theirs, 'K8S_YAML_INVALID')).toBe(true);
    expect(isSyncgateError(mine, 'K8S_YAML_INVALID')).toBe(true);
    expect((mine as Error).message).toBe((theirs as Error).message);
  });

  test('an alias bomb is handed to the codec and its alias limit', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const text = `${lines.join('\n')}\n`;
    let mine: unknown;
    let theirs: unknown;
    try { loadDocuments(text, 'bomb.yaml'); } catch (e) { mine = e; }
    try { parseDocuments(text, 'bomb.yaml'); } catch (e) { theirs = e; }
    expect(theirs).toBeInstanceOf(Error);
    expect((mine as Error).message).toBe((theirs as Error).message);
  });

  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e) && statSync(p).size < 1 << 20) files.push(p);
    }
  };
  for (const d of ['test/fixtures', 'examples']) {
    try { walk(d); } catch { /* absent */ }
  }

  test('every YAML fixture in the repo', () => {
    let compared = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      let expected: unknown;
      try { expected = parseDocuments(text, f); } catch { continue; } // templates and broken fixtures
      expect([f, loadDocuments(text, f)]).toEqual([f, expected]);
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
  });
});
