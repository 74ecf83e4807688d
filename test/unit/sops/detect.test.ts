import { hasSopsMetadata, looksSopsEncrypted } from '../../../src/sops/index.js';

describe('one SOPS detection for every stage and door', () => {
  test.each([
    ['yaml', 'a: b\nsops:\n  mac: x\n', true],
    ['yaml with CRLF', 'a: b\r\nsops:\r\n  mac: x\r\n', true],
    ['yaml with a BOM', '\uFEFFsops:\n  mac: x\n', true],
    ['json', '{"a": 1, "sops": {"mac": "ENC[…]"}}', true],
    ['json spaced', '{"sops" : {}}', true],
    ['dotenv', 'A=1\nsops_mac=ENC[…]\n', true],
    ['ini', '[db]\na = 1\n[sops]\nmac = x\n', true],
    ['ini spaced section', '[ sops ]\nmac = x\n', true],
    ['plain yaml', 'a: b\nnotsops: 1\n', false],
    ['a value mentioning sops', 'note: "use sops: later"\n', false],
  ])('%s → %s', (_what, text, expected) => {
    expect(looksSopsEncrypted(text)).toBe(expected);
  });

  test('an object claims encryption by any top-level sops key', () => {
    expect(hasSopsMetadata({ sops: { mac: 'x' } })).toBe(true);
    expect(hasSopsMetadata({ sops: 'nope' })).toBe(true);
    expect(hasSopsMetadata({ sops: null })).toBe(true);
    expect(hasSopsMetadata({ data: { sops: 1 } })).toBe(false);
  });
});
