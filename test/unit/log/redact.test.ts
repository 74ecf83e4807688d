import { Redactor } from '../../../src/log/index.js';

describe('Redactor', () => {
  test('masks every registered value, longest first, and multi-line values line by line', () => {
    const r = new Redactor();
    r.add('hunter22');
    r.add('hunter22-extended');
    r.add('line-one-secret\nline-two-secret');
    r.add('ab'); // too short to mask safely
    expect(r.mask('x hunter22-extended y hunter22 z line-two-secret ab')).toBe('x ***** y ***** z ***** ab');
  });

  test('regex metacharacters in secrets are literal', () => {
    const r = new Redactor();
    r.add('a.b*c(d)');
    expect(r.mask('a.b*c(d) axbbc')).toBe('***** axbbc');
  });

  test('maskValue masks every string of plain data, keys included, and leaves the rest as it was', () => {
    const r = new Redactor();
    r.add('pa"ss\\word');
    r.add('top-secret');
    const details = { argv: 'helm --set=pw=pa"ss\\word', nested: [{ 'top-secret': 1, n: 2, ok: true, none: null }] };
    expect(r.maskValue(details)).toEqual({ argv: 'helm --set=pw=*****', nested: [{ '*****': 1, n: 2, ok: true, none: null }] });
    // The input is not touched, and without secrets the value comes back as is.
    expect(details.argv).toBe('helm --set=pw=pa"ss\\word');
    const empty = new Redactor();
    expect(empty.maskValue(details)).toBe(details);
  });
});
