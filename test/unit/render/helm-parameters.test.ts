// The argv for Argo CD parameters: `set`/`set-string` escaped like Argo CD's cleanSetParameters,
// the `helm-parameters` map typed like the chart default. What helm makes of the argv is
// checked with the real helm in test/e2e/cmp-params-roundtrip.test.ts.
import { errorCodeOf } from '../../helpers/errors.js';
import { cleanSetValue, flattenHelmValues, helmKey, helmParameterArgs } from '../../../src/render/index.js';

describe('cleanSetValue (Argo CD util/helm/cmd.go cleanSetParameters)', () => {
  test.each([
    ['hello, world', 'hello\\, world'],
    ['a,b,c', 'a\\,b\\,c'],
    ['already\\,escaped', 'already\\,escaped'],
    ['trailing,', 'trailing\\,'],
    ['{a,b}', '{a,b}'],
    ['{a,b', '{a\\,b'],
    ['a\\b', 'a\\b'],
    ['', ''],
    ['héllo,wörld', 'héllo\\,wörld'],
  ])('%j → %j', (v, want) => {
    expect(cleanSetValue(v)).toBe(want);
  });
});

describe('helmKey / flattenHelmValues', () => {
  test('Argo CD flatVals names, special characters in keys escaped for --set', () => {
    expect(helmKey(['a', 'b', 0, 'c'])).toBe('a.b[0].c');
    expect(helmKey(['x.y', 'p[1]', 'q,r', 's=t', 'u\\v'])).toBe('x\\.y.p\\[1\\].q\\,r.s\\=t.u\\\\v');
    const flat = flattenHelmValues({ a: { b: [1, 'x'] }, n: null, e: {}, l: [], 'd.k': true });
    expect([...flat].map(([k, d]) => [k, d.value])).toEqual([
      ['a.b[0]', 1],
      ['a.b[1]', 'x'],
      ['d\\.k', true],
    ]);
  });
});

describe('helmParameterArgs', () => {
  const chart = { flag: 'true', on: true, n: 3, s: 'hello, world', list: ['a', 2], 'd.k': 'v', nested: { z: '007' } };
  const all = Object.fromEntries([...flattenHelmValues(chart)].map(([k, d]) => [k, String(d.value)]));

  test('every listed entry sent back unchanged: no flag at all', () => {
    expect(helmParameterArgs(chart, all)).toEqual([]);
  });

  test('an edited entry keeps the type of the chart default', () => {
    expect(helmParameterArgs(chart, { ...all, flag: 'false', on: 'FALSE', n: '4.5', s: 'a,b\\c{', 'd\\.k': 'w', 'nested.z': '{x}' })).toEqual([
      '--set-string=flag=false',
      '--set-json=on=false',
      '--set-json=n=4.5',
      '--set-string=s=a\\,b\\\\c\\{',
      '--set-string=d\\.k=w',
      '--set-string=nested.z=\\{x}',
    ]);
  });

  test('an edit inside a list sends the whole list, defaults included', () => {
    expect(helmParameterArgs(chart, { ...all, 'list[1]': '5' })).toEqual(['--set-json=list=["a",5]']);
  });

  test('a key the chart does not list goes as Argo CD passes a Helm parameter', () => {
    expect(helmParameterArgs(chart, { 'extra.key': 'a,b' })).toEqual(['--set=extra.key=a\\,b']);
  });

  test.each([
    ['n', 'three', 'parameter helm-parameters: n: the chart default is a number, got "three" (use the set-string parameter to change its type)'],
    ['n', '0x10', 'parameter helm-parameters: n: the chart default is a number, got "0x10" (use the set-string parameter to change its type)'],
    ['on', 'yes', 'parameter helm-parameters: on: the chart default is a boolean, got "yes" (use the set-string parameter to change its type)'],
  ])('%s=%j against a typed default → CMP_PARAMETERS_INVALID', (key, text, message) => {
    expect(errorCodeOf(() => helmParameterArgs(chart, { [key]: text }))).toBe('CMP_PARAMETERS_INVALID');
    expect(() => helmParameterArgs(chart, { [key]: text })).toThrow(message);
  });
});
