import { globMatch } from '../../../src/policy/glob.js';
import { compileSelector } from '../../../src/policy/selector.js';

describe('globMatch', () => {
  test.each([
    ['pss-*', 'pss-baseline/privileged', true],
    ['*/priv*', 'pss-baseline/privileged', true],
    ['hygiene/*', 'hygiene/x/y', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['*', '', true],
    ['x', '', false],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
    ['*.x', 'a.x.x', true],
    ['a.c', 'abc', false],
  ])('%s ~ %s → %s', (p, v, want) => expect(globMatch(p, v)).toBe(want));

  test('a hostile pattern from a repo annotation is linear, not exponential', () => {
    // As a RegExp (`^.*a.*a…!$`) this pattern backtracks for minutes on this input.
    expect(globMatch(`${'*a'.repeat(30)}!`, 'a'.repeat(200))).toBe(false);
  });
});

describe('label selectors', () => {
  test('inherited object properties are not labels', () => {
    const sel = compileSelector({ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] });
    expect(sel({})).toBe(false);
    expect(sel({ constructor: 'x' })).toBe(true);
  });
});
