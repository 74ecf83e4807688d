import { goRegExp, macAad, parseMetadata, sopsVersionValid } from '../../../src/sops/metadata.js';

const base = { lastmodified: '2024-03-25T22:08:10Z', mac: 'ENC[…]', version: '3.10.2', age: [{ recipient: 'age1x', enc: 'E' }] };

describe('sops metadata', () => {
  test('defaults to unencrypted_suffix _unencrypted, one group from top-level keys', () => {
    const m = parseMetadata(base);
    expect(m.rule).toEqual({ kind: 'unencrypted_suffix', value: '_unencrypted' });
    expect(m.keyGroups).toEqual([{ age: [{ recipient: 'age1x', enc: 'E' }], otherKeys: 0 }]);
    expect(m.macOnlyEncrypted).toBe(false);
  });

  test('key_groups are used when no top-level key list is filled (empty lists ignored)', () => {
    const m = parseMetadata({ ...base, age: [], kms: null, shamir_threshold: 2, key_groups: [{ age: [{ recipient: 'a', enc: '1' }] }, { pgp: [{ fp: 'x' }], age: [] }] });
    expect(m.keyGroups).toEqual([
      { age: [{ recipient: 'a', enc: '1' }], otherKeys: 0 },
      { age: [], otherKeys: 1 },
    ]);
    expect(m.shamirThreshold).toBe(2);
  });

  test.each([
    [{ ...base, lastmodified: 'yesterday' }, 'lastmodified'],
    [{ ...base, encrypted_regex: 'a', unencrypted_suffix: 'b' }, 'more than one selection rule'],
    [{ ...base, age: [] }, 'no keys'],
    [{ ...base, encrypted_regex: '(' }, 'not supported'],
    ['nope', 'not a mapping'],
    [{ ...base, version: undefined }, 'sops.version is missing'],
    [{ ...base, version: 'abc' }, 'sops.version is not a version sops accepts'],
    [{ ...base, version: 3 }, 'sops.version is not a version sops accepts'],
  ])('%j is refused', (raw, msg) => {
    expect(() => parseMetadata(raw)).toThrow(msg);
  });

  test('RE2 flag groups become JS flags', () => {
    expect(goRegExp('(?i)^DATA$').test('data')).toBe(true);
    expect(goRegExp('^(data|stringData)$').test('stringData')).toBe(true);
    expect(goRegExp('^(data|stringData)$').test('metadata')).toBe(false);
  });

  test('the MAC AAD is lastmodified as RFC 3339 without fractions', () => {
    expect(macAad('2024-03-25T22:08:10.123456Z')).toBe('2024-03-25T22:08:10Z');
    expect(macAad('2024-03-25T22:08:10+02:00')).toBe('2024-03-25T22:08:10+02:00');
  });
});

describe('sops.version as sops accepts it (version.AIsNewerThanB on blang/semver)', () => {
  test.each([
    ['3.10.2', true],
    ['v3.10.2', true],
    ['3.9.0-rc.1+build.5', true],
    ['1.0', true], // sops 1.x files are accepted without a semantic version
    ['1.anything', true],
    ['', false],
    ['abc', false],
    ['3', false],
    ['3.10', false],
    ['03.10.2', false],
    ['3.10.2-', false],
    ['3.10.2-01', false],
    ['3.10.2+', false],
    ['vv3.10.2', false],
  ])('%j → %s', (v, ok) => {
    expect(sopsVersionValid(v)).toBe(ok);
  });
});
