import { describe, expect, test } from '@jest/globals';
import { compileExpression, fromCel, toCel, type CelVars } from '../../../../src/policy/cel/index.js';
import { cachedRe2, parseQuantity } from '../../../../src/policy/cel/library/index.js';

const object = toCel({
  metadata: { name: 'web', labels: { app: 'Web' } },
  spec: {
    replicas: 3,
    ratio: 0.5,
    ports: [443, 80, 8080],
    names: ['a', 'b', 'c'],
    url: 'https://example.com:8443/a%20b/c?x=1&x=2&y=3',
  },
});

function evaluate(expr: string): unknown {
  const vars: CelVars = {
    object,
    oldObject: null,
    request: null,
    params: null,
    namespaceObject: null,
    variables: new Map(),
  };
  return fromCel(compileExpression(expr).run(vars));
}

function evalError(expr: string): string {
  try {
    evaluate(expr);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error('expected an evaluation error');
}

describe('Kubernetes CEL extension functions', () => {
  test.each([
    // strings (cel-go ext strings, shipped by @bufbuild/cel)
    ["'Hello'.lowerAscii()", 'hello'],
    ["'Hello'.upperAscii()", 'HELLO'],
    ["'a,b,c'.split(',')", ['a', 'b', 'c']],
    ["'a,b,c'.split(',', 2)", ['a', 'b,c']],
    ["'a,b,c'.split(',', -1)", ['a', 'b', 'c']],
    ["'a,b,c'.split(',', 0)", []],
    ["'abc'.split('', 2)", ['a', 'bc']],
    ["['a', 'b'].join('-')", 'a-b'],
    ["'aXbX'.replace('X', '.')", 'a.b.'],
    ["'aXbX'.replace('X', '.', 1)", 'a.bX'],
    ["'tacocat'.substring(4)", 'cat'],
    ["'tacocat'.substring(0, 4)", 'taco'],
    ["'  x  '.trim()", 'x'],
    ["'tacocat'.indexOf('c')", 2n],
    ["'tacocat'.lastIndexOf('c')", 4n],
    ["'%s has %d replicas'.format([object.metadata.name, object.spec.replicas])", 'web has 3 replicas'],
    [
      "object.metadata.name.startsWith('w') && object.metadata.name.endsWith('b') && object.metadata.name.contains('e')",
      true,
    ],
    ["object.metadata.labels.app.matches('^[A-Z][a-z]+$')", true],
    // lists
    ['object.spec.names.isSorted()', true],
    ['object.spec.ports.isSorted()', false],
    ['[].isSorted()', true],
    ['object.spec.ports.sum()', 8603n],
    ['[0.5, 0.25].sum()', 0.75],
    ['[].sum()', 0n],
    ['object.spec.ports.min()', 80n],
    ['object.spec.ports.max()', 8080n],
    ['object.spec.names.max()', 'c'],
    ['object.spec.ports.indexOf(80)', 1n],
    ['[1, 2, 1].lastIndexOf(1)', 2n],
    ['[1, 2].indexOf(3)', -1n],
    // regex
    ["'abc 123'.find('[0-9]+')", '123'],
    ["'abc'.find('[0-9]+')", ''],
    ["'1 22 333'.findAll('[0-9]+')", ['1', '22', '333']],
    ["'1 22 333'.findAll('[0-9]+', 2)", ['1', '22']],
    ["'ABC'.find('(?i)b')", 'B'],
    ["'a1b2'.findAll('[0-9]*')", ['', '1', '2']],
    ["'a,b,,c'.findAll('[^,]*')", ['a', 'b', '', 'c']],
    ['"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!".find("(a+)+$")', ''],
    ['"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!".findAll("(a|aa)+$")', []],
    // urls
    ['url(object.spec.url).getScheme()', 'https'],
    ['url(object.spec.url).getHost()', 'example.com:8443'],
    ['url(object.spec.url).getHostname()', 'example.com'],
    ['url(object.spec.url).getPort()', '8443'],
    ['url(object.spec.url).getEscapedPath()', '/a%20b/c'],
    ['url(object.spec.url).getQuery()', { x: ['1', '2'], y: ['3'] }],
    ["url('https://[::1]:80/').getHostname()", '::1'],
    ["url('/absolute/path').getEscapedPath()", '/absolute/path'],
    ["url('/absolute/path').getHost()", ''],
    ["isURL('https://example.com')", true],
    ["isURL('example.com')", false],
    ["isURL('/ok')", true],
    // quantity
    ["quantity('1Gi') == quantity('1024Mi')", true],
    ["quantity('1') == quantity('1000m')", true],
    ["quantity('500m').isLessThan(quantity('1'))", true],
    ["quantity('2k').isGreaterThan(quantity('1999'))", true],
    ["quantity('1Ki').compareTo(quantity('1k'))", 1n],
    ["quantity('1k').compareTo(quantity('1e3'))", 0n],
    ["quantity('1.5Gi').asInteger()", 1610612736n],
    ["quantity('500m').isInteger()", false],
    ["quantity('500m').asApproximateFloat()", 0.5],
    ["sign(quantity('-3'))", -1n],
    ["sign(quantity('0'))", 0n],
    ["quantity('1').add(quantity('500m')) == quantity('1500m')", true],
    ["quantity('1').add(2) == quantity('3')", true],
    ["sign(quantity('1').sub(quantity('1500m')))", -1n],
    ["isQuantity('100Mi')", true],
    ["isQuantity('100MB')", false],
    ["isQuantity('.5')", true],
    ["isQuantity('1e-3')", true],
    // macros and has()
    [
      'object.spec.ports.all(p, p > 0) && object.spec.ports.exists(p, p == 443) && object.spec.ports.exists_one(p, p == 80)',
      true,
    ],
    ['object.spec.ports.filter(p, p > 100).map(p, p * 2)', [886n, 16160n]],
    ['has(object.spec.replicas) && !has(object.spec.paused)', true],
    ['object.spec.replicas + 1', 4n],
    ['object.spec.ratio * 2.0', 1],
    ['dyn(object.spec.replicas) == 3.0', true],
    // objects reach CEL as lazily converted maps: size, iteration, `in` and equality all work
    ['size(object.spec)', 5n],
    ["object.spec.exists(k, k == 'ratio')", true],
    ["object.metadata.labels.all(k, object.metadata.labels[k] == 'Web')", true],
    ["'app' in object.metadata.labels && !('team' in object.metadata.labels)", true],
    ["object.metadata == {'name': 'web', 'labels': {'app': 'Web'}}", true],
    ["object.metadata.labels == {'app': 'Other'}", false],
    ['object.metadata', { name: 'web', labels: { app: 'Web' } }],
    [
      'type(object.spec) == map && type(object.spec.ports) == list && type(object.spec.replicas) == int && type(object.spec.ratio) == double',
      true,
    ],
  ])('%s', (expr, want) => {
    expect(evaluate(expr)).toEqual(want);
  });

  test.each([
    ["quantity('1Z')", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    ["quantity('0.5').asInteger()", 'cannot convert value to integer'],
    ["quantity('100Ei').asInteger()", 'cannot convert value to integer'],
    ["url('not a url')", 'URL parse error during conversion from string: parse "not a url": invalid URI for request'],
    ['[].min()', 'min called on empty list'],
    ["[1, 'a'].isSorted()", 'no such overload: list elements of different types'],
    ["'a'.find('[')", 'invalid regex "["'],
    ['[9223372036854775807, 1].sum()', 'integer overflow'],
  ])('%s fails with %s', (expr, want) => {
    expect(evalError(expr)).toContain(want);
  });

  test('quantities are exact fractions', () => {
    expect(parseQuantity('1.5Gi')).toEqual({ num: 1610612736n, den: 1n });
    expect(parseQuantity('250m')).toEqual({ num: 1n, den: 4n });
    expect(parseQuantity('+1e2')).toEqual({ num: 100n, den: 1n });
    expect(parseQuantity('1e9999')).toBeUndefined();
    expect(parseQuantity('')).toBeUndefined();
  });
});

describe('performance', () => {
  // Guards the compile-once paths (programs, RE2 patterns): @bufbuild/cel would recompile a regex
  // per call (about 1 ms each). Checked by identity, not by timing: speed belongs to bench/cel.mjs.
  test('regex patterns are compiled once and reused across evaluations', () => {
    const expr = compileExpression(
      "object.spec.replicas <= 5 && object.spec.names.all(n, n.matches('^[a-z]+$')) && quantity('1Gi').isGreaterThan(quantity('1Mi'))",
    );
    const vars: CelVars = {
      object,
      oldObject: null,
      request: null,
      params: null,
      namespaceObject: null,
      variables: new Map(),
    };
    let n = 0;
    for (let i = 0; i < 100; i++) if (expr.run(vars) === true) n++;
    expect(n).toBe(100);
    expect(cachedRe2.compile('^[a-z]+$')).toBe(cachedRe2.compile('^[a-z]+$'));
  });
});
