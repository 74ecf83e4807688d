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

describe('Redactor without regular expressions', () => {
  test('one 70 KB value beside many others masks every one of them (no RegExp size limit)', () => {
    const r = new Redactor();
    const big = `-----BEGIN CERTIFICATE-----\n${'QUJD'.repeat(17_500)}\n-----END CERTIFICATE-----`;
    r.add(big);
    r.add('other-secret-1');
    const text = `helm: error: ${big} and other-secret-1 end`;
    expect(r.mask(text)).toBe('helm: error: ***** and ***** end');
  });

  test('10,000 values: each masked where it occurs, text between them kept', () => {
    const r = new Redactor();
    const values = Array.from({ length: 10_000 }, (_, i) => `val-${i.toString(36)}-${(i * 7919).toString(16)}`);
    for (const v of values) r.add(v);
    const text = values.filter((_, i) => i % 97 === 0).map((v, i) => `<${i}:${v}>`).join(' ');
    const masked = r.mask(text);
    for (const v of values) expect(masked.includes(v)).toBe(false);
    expect(masked).toMatch(/^<0:\*\*\*\*\*> <1:\*\*\*\*\*>/);
  });

  test('overlapping and nested values mask as one span', () => {
    const r = new Redactor();
    r.add('abcdef');
    r.add('defghi');
    r.add('cde1');
    expect(r.mask('xxabcdefghiyy cde1')).toBe('xx*****yy *****');
  });

  test('base64 of a value is masked, also inside a longer encoded text at any byte offset', () => {
    const r = new Redactor();
    const secret = 'p4ss-w0rd-Zz9!';
    r.add(secret);
    expect(r.mask(Buffer.from(secret).toString('base64'))).toBe('*****');
    for (let pre = 0; pre < 6; pre++) {
      for (let post = 0; post < 4; post++) {
        const enc = Buffer.from(`${'x'.repeat(pre)}${secret}${'y'.repeat(post)}`).toString('base64');
        const masked = r.mask(enc);
        expect({ pre, post, masked: masked.includes('*****') }).toEqual({ pre, post, masked: true });
        // What is left cannot decode back to the secret.
        for (const part of masked.split('*****')) expect(Buffer.from(part, 'base64').toString('latin1')).not.toContain(secret.slice(2, -2));
      }
    }
  });

  test('addEncoded and addSecretObject register decoded Secret data once, for every caller', () => {
    const r = new Redactor();
    r.addSecretObject({ kind: 'Secret', data: { a: Buffer.from('decoded-secret').toString('base64') }, stringData: { b: 'string-secret' } });
    expect(r.mask('decoded-secret string-secret')).toBe('***** *****');
    const cm = new Redactor();
    cm.addSecretObject({ kind: 'ConfigMap', data: { a: 'cm-value-1' }, metadata: { name: 'visible-name' } });
    expect(cm.mask('cm-value-1 visible-name')).toBe('***** visible-name');
  });

  test('fails closed: if masking throws, nothing of the text comes back', () => {
    const r = new Redactor();
    r.add('some-secret');
    const broken = r as unknown as { literals: { scan: () => never } };
    broken.literals.scan = () => {
      throw new RangeError('boom some-secret');
    };
    const out = r.mask('leak some-secret here');
    expect(out).not.toContain('some-secret');
    expect(out).toBe('[message withheld: masking failed]');
    expect(JSON.stringify(r.maskValue({ a: 'some-secret' }))).not.toContain('some-secret');
  });
});
