// Issue 12 (YAML half): every parse is bounded in bytes, documents, depth and aliases, fails with
// a code, and no input can overflow the stack or abort the process, however often it is repeated.
import { parseDocuments, parseJson, parseResources } from '../../../src/k8s/index.js';
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

const deepJson = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const deepJsonArray = (n: number): string => '{"a":' + '['.repeat(n) + ']'.repeat(n) + '}';
const deepFlow = (n: number): string => 'a: ' + '['.repeat(n) + ']'.repeat(n) + '\n';
const deepBlock = (n: number): string => {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`${' '.repeat(i)}a:`);
  return lines.join('\n') + ' 1\n';
};

describe('depth', () => {
  test.each([
    ['JSON objects 5,000 deep', deepJson(5000)],
    ['JSON objects 100,000 deep', deepJson(100_000)],
    ['JSON arrays 100,000 deep', deepJsonArray(100_000)],
    ['YAML flow 5,000 deep', deepFlow(5000)],
    ['YAML flow 100,000 deep', deepFlow(100_000)],
    ['YAML block 5,000 deep', deepBlock(5000)],
    ['JSON stream whose second value is 100,000 deep', '{"a": 1}\n' + deepJson(100_000)],
  ])('%s: LIMIT_EXCEEDED every time, 25 times in one process', (_n, text) => {
    for (let i = 0; i < 25; i++) {
      expect(codeOf(() => parseResources(text, 'deep.json'))).toMatch(/^LIMIT_EXCEEDED: deep\.json: document \d+( line \d+ column \d+| \(from line \d+\))?: nesting deeper than 500 levels$/);
    }
  });

  test('the webhook body decoder is bounded the same way', () => {
    for (let i = 0; i < 10; i++) expect(codeOf(() => parseJson(deepJson(100_000), 'admission review'))).toMatch(/^LIMIT_EXCEEDED: admission review: nesting deeper than 500 levels$/);
  });

  test('500 levels is accepted, 501 refused (YAML and JSON alike)', () => {
    expect(parseDocuments(deepJson(499), 'f.json')).toHaveLength(1);
    expect(parseDocuments(deepFlow(499), 'f.yaml')).toHaveLength(1);
    expect(codeOf(() => parseDocuments(deepJson(501), 'f.json'))).toMatch(/^LIMIT_EXCEEDED/);
    expect(codeOf(() => parseDocuments(deepFlow(501), 'f.yaml'))).toMatch(/^LIMIT_EXCEEDED/);
    expect(codeOf(() => parseDocuments(deepJson(20), 'f.json', { maxDepth: 10 }))).toMatch(/^LIMIT_EXCEEDED: f\.json: document 1: nesting deeper than 10 levels$/);
  });

  test('aliases cannot build a result deeper than the limit', () => {
    let text = 'a0: &a0 ' + '['.repeat(300) + ']'.repeat(300) + '\n';
    for (let i = 1; i < 4; i++) text += `a${i}: &a${i} ` + '['.repeat(200) + `*a${i - 1}` + ']'.repeat(200) + '\n';
    expect(codeOf(() => parseDocuments(text, 'chain.yaml'))).toMatch(/^LIMIT_EXCEEDED: chain\.yaml: document 1 \(from line 1\): nesting deeper than 500 levels$/);
  });
});

describe('aliases', () => {
  const laughs = (): string => {
    let t = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    let prev = 'a';
    for (const n of 'bcdefghi') {
      t += `${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
      prev = n;
    }
    return t;
  };

  test('billion laughs: LIMIT_EXCEEDED (go-yaml v2: excessive aliasing)', () => {
    expect(codeOf(() => parseDocuments(laughs(), 'bomb.yaml'))).toBe('LIMIT_EXCEEDED: bomb.yaml: document 1 (from line 1): document contains excessive aliasing');
  });

  test('billion laughs inside a kustomize-style stream, after good documents', () => {
    expect(codeOf(() => parseResources('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n' + laughs(), 'out'))).toMatch(/^LIMIT_EXCEEDED: out: document 2 \(from line 5\): document contains excessive aliasing$/);
  });

  test('a long string repeated through aliases is bounded by maxExpansion', () => {
    const text = `a: &a "${'x'.repeat(1 << 20)}"\nb: [${Array(40).fill('*a').join(', ')}]\n`;
    expect(codeOf(() => parseDocuments(text, 'big.yaml'))).toMatch(/^LIMIT_EXCEEDED: big\.yaml: document 1 \(from line 1\): aliases expand the document past \d+ characters$/);
  });

  test.each([
    ['data: &a {x: *a}\n'],
    ['data: &a\n  x: *a\n'],
    ['data: &a [*a]\n'],
    ['a: &a\n  b:\n    c: [1, *a]\n'],
    ['a: &a\n  <<: *a\n'],
  ])('self-referencing alias %j: K8S_YAML_INVALID, never a cyclic object', (text) => {
    for (let i = 0; i < 5; i++) expect(codeOf(() => parseDocuments(text, 'self.yaml'))).toMatch(/^K8S_YAML_INVALID: self\.yaml: document 1 \(from line 1\): .*contains itself/);
  });

  test('aliases expand into independent copies', () => {
    const [doc] = parseDocuments('a: &a {x: [1]}\nb: *a\n', 'f') as [{ a: { x: number[] }; b: { x: number[] } }];
    doc.b.x.push(2);
    expect(doc.a.x).toEqual([1]);
  });
});

describe('documents and bytes', () => {
  test('1,000,000 tiny documents: refused by the document limit before any is decoded', () => {
    const text = 'a: 1\n---\n'.repeat(1_000_000);
    const t0 = process.hrtime.bigint();
    expect(codeOf(() => parseResources(text, 'many.yaml'))).toBe('LIMIT_EXCEEDED: many.yaml: more than 100000 documents');
    // Not a speed target: printed so a regression to decoding everything first is visible.
    process.stdout.write(`1,000,000 documents refused in ${Number(process.hrtime.bigint() - t0) / 1e6} ms\n`);
  });

  test('1,000,000 tiny JSON values are refused the same way', () => {
    expect(codeOf(() => parseDocuments('{"a":1}\n'.repeat(1_000_000), 'many.json'))).toBe('LIMIT_EXCEEDED: many.json: more than 100000 documents');
  });

  test('maxDocuments and maxBytes are parameters', () => {
    expect(codeOf(() => parseDocuments('a: 1\n---\nb: 2\n---\nc: 3\n', 'f', { maxDocuments: 2 }))).toBe('LIMIT_EXCEEDED: f: more than 2 documents');
    expect(codeOf(() => parseDocuments('a: 1\n', 'f', { maxBytes: 3 }))).toBe('LIMIT_EXCEEDED: f: more than 3 bytes');
    // 'a: é\n' is 5 characters and 6 bytes
    expect(codeOf(() => parseDocuments('a: é\n', 'f', { maxBytes: 5 }))).toBe('LIMIT_EXCEEDED: f: more than 5 bytes');
    expect(parseDocuments('a: é\n', 'f', { maxBytes: 6 })).toEqual([{ a: 'é' }]);
  });
});

describe('syntax errors name document, line and column', () => {
  test.each([
    ['a: 1\n---\nb: [1\n', /^K8S_YAML_INVALID: f\.yaml: document 2 line 4 column 1: /],
    ['a: 1\nb: c: d\n', /^K8S_YAML_INVALID: f\.yaml: document 1 line 2 column 5: /],
    ['# c\n---\n---\nx:\n  y: 1\n z: 2\n', /^K8S_YAML_INVALID: f\.yaml: document 2 line 6 column 2: bad indentation of a mapping entry$/],
    ['a: 1\r\n---\r\nb: "x\r\n', /^K8S_YAML_INVALID: f\.yaml: document 2 line \d+ column \d+: /],
    ['a: 1\n--- b: 2\n', /^K8S_YAML_INVALID: f\.yaml: document 2 line 2 column 1: invalid document separator: b: 2$/],
    ['v: "a\\/b"\n', /^K8S_YAML_INVALID: f\.yaml: document 1 line 1 column 6: found unknown escape character$/],
    ['{"a": 1}\n{"b": 2}\nc: [\n', /^K8S_YAML_INVALID: f\.yaml: document 3 line 3 column 1: invalid JSON$/],
    ['v: !!int abc\n', /^K8S_YAML_INVALID: f\.yaml: document 1 \(from line 1\): cannot decode !!str `abc` as a !!int$/],
    ['v: .inf\n', /^K8S_YAML_INVALID: f\.yaml: document 1 \(from line 1\): json: unsupported value: \+Inf$/],
  ])('%j', (text, want) => {
    expect(codeOf(() => parseDocuments(text, 'f.yaml'))).toMatch(want);
  });
});
