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
});
