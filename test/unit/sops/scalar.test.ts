import { parseGoFloat, parseGoInt10, goFloat, goTimestamp, macBytes, resolvePlain } from '../../../src/sops/scalar.js';

describe('Go rendering of values for the MAC', () => {
  test.each([
    [1e21, '1000000000000000000000'],
    [1.5e300, `15${'0'.repeat(299)}`],
    [0.1, '0.1'],
    [1e-7, '0.0000001'],
    [1.25e-10, '0.000000000125'],
    [123.456, '123.456'],
    [-2.5, '-2.5'],
    [-0, '-0'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [5, '5'],
  ])('FormatFloat(%p, f, -1) = %s', (f, s) => {
    expect(goFloat(f)).toBe(s);
  });

  test.each([
    [{ t: 'bool', b: true } as const, 'True'],
    [{ t: 'bool', b: false } as const, 'False'],
    [{ t: 'int', n: -9223372036854775808n } as const, '-9223372036854775808'],
    [{ t: 'str', s: 'ünï' } as const, 'ünï'],
  ])('ToBytes(%j) = %s', (v, s) => {
    expect(macBytes(v).toString('utf8')).toBe(s);
  });
});

describe('go-yaml v3 typing of plain scalars', () => {
  test.each([
    ['yes', { t: 'str', s: 'yes' }],
    ['on', { t: 'str', s: 'on' }],
    ['true', { t: 'bool', b: true }],
    ['FALSE', { t: 'bool', b: false }],
    ['0x1F', { t: 'int', n: 31n }],
    ['0o17', { t: 'int', n: 15n }],
    ['017', { t: 'int', n: 15n }],
    ['08', { t: 'float', f: 8 }],
    ['1_000', { t: 'int', n: 1000n }],
    ['-42', { t: 'int', n: -42n }],
    ['9223372036854775808', { t: 'float', f: 9223372036854775808 }],
    ['1e3', { t: 'float', f: 1000 }],
    ['.5', { t: 'float', f: 0.5 }],
    ['-.inf', { t: 'float', f: -Infinity }],
    ['2024-03-25', { t: 'time', s: '2024-03-25T00:00:00Z' }],
    ['2024-03-25T22:08:10Z', { t: 'time', s: '2024-03-25T22:08:10Z' }],
    // go-yaml v3 has no format for a space before the zone: the real sops keeps it a string.
    ['2001-12-14 21:59:43.10 -5', { t: 'str', s: '2001-12-14 21:59:43.10 -5' }],
    ['2001-12-14 21:59:43.10', { t: 'time', s: '2001-12-14T21:59:43.1Z' }],
    ['2001-2-30', { t: 'str', s: '2001-2-30' }],
    ['2001-1-2T3:4:5.1234567891+05:30', { t: 'time', s: '2001-01-02T03:04:05.123456789+05:30' }],
    ['2024-3-5T1:2:3.000000000+00:00', { t: 'time', s: '2024-03-05T01:02:03Z' }],
    ['12:30', { t: 'str', s: '12:30' }],
    ['0.0.1', { t: 'str', s: '0.0.1' }],
    ['abc', { t: 'str', s: 'abc' }],
  ])('%s', (text, v) => {
    expect(resolvePlain(text)).toEqual(v);
  });

  test.each(['', '~', 'null', 'Null', 'NULL'])('%j is null', (t) => {
    expect(resolvePlain(t)).toBeNull();
  });

  test('a timestamp without zone is UTC', () => {
    expect(goTimestamp('2024-01-02 03:04:05')).toBe('2024-01-02T03:04:05Z');
  });
});

describe('Go parsers for typed ciphertexts', () => {
  test.each([
    ['+Inf', Infinity],
    ['-Inf', -Infinity],
    ['inf', Infinity],
    ['-infinity', -Infinity],
    ['NaN', NaN],
    ['1.5', 1.5],
    ['-0.25e2', -25],
    ['0x1p-2', 0.25],
    ['.5', 0.5],
  ])('ParseFloat(%j)', (s, f) => {
    expect(parseGoFloat(s)).toBe(f);
  });
  test.each(['', 'abc', '1.2.3', '+NaN', '1_0'])('ParseFloat(%j) fails', (s) => {
    expect(parseGoFloat(s)).toBeUndefined();
  });
  test('Atoi keeps ints beyond 2^53 exact and refuses beyond int64', () => {
    expect(parseGoInt10('9007199254740993')).toBe(9007199254740993n);
    expect(parseGoInt10('-9223372036854775808')).toBe(-(2n ** 63n));
    expect(parseGoInt10('9223372036854775808')).toBeUndefined();
    expect(parseGoInt10('0x10')).toBeUndefined();
  });
});
