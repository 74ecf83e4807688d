import { createCipheriv, randomBytes } from 'node:crypto';
import { decryptValue, isEncrypted } from '../../../src/sops/cipher.js';

const key = randomBytes(32);
function enc(plain: string, aad: string, type: string, ivLen = 32): string {
  const iv = randomBytes(ivLen);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad));
  const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${c.getAuthTag().toString('base64')},type:${type}]`;
}

describe('decryptValue', () => {
  test.each([
    ['hello', 'str', { t: 'str', s: 'hello' }],
    ['42', 'int', { t: 'int', n: 42n }],
    ['-9223372036854775808', 'int', { t: 'int', n: -9223372036854775808n }],
    ['0.5', 'float', { t: 'float', f: 0.5 }],
    ['True', 'bool', { t: 'bool', b: true }],
    ['0', 'bool', { t: 'bool', b: false }],
    ['2024-03-25T22:08:10Z', 'time', { t: 'time', s: '2024-03-25T22:08:10Z' }],
  ])('%s (%s)', (plain, type, value) => {
    expect(decryptValue(enc(plain, 'a:b:', type), key, 'a:b:')).toEqual({ comment: false, value });
  });

  test('comments and bytes', () => {
    expect(decryptValue(enc(' note', ':', 'comment'), key, ':')).toEqual({ comment: true, text: ' note' });
    expect(decryptValue(enc('raw', 'data:', 'bytes'), key, 'data:')).toEqual({ comment: false, value: { t: 'bytes', buf: Buffer.from('raw') } });
  });

  test('an empty value is not encrypted and stays empty', () => {
    expect(decryptValue('', key, 'x:')).toEqual({ comment: false, value: { t: 'str', s: '' } });
  });

  test('any IV length is accepted (NewGCMWithNonceSize)', () => {
    expect(decryptValue(enc('v', 'k:', 'str', 12), key, 'k:')).toEqual({ comment: false, value: { t: 'str', s: 'v' } });
  });

  test.each([
    ['wrong path AAD', enc('v', 'a:', 'str'), 'b:', 'failed'],
    ['wrong key', enc('v', 'a:', 'str').replace(/data:[^,]+/, 'data:AAAA'), 'a:', 'failed'],
    ['cleartext', 'plain text', 'a:', 'not-encrypted'],
    ['unknown type', enc('v', 'a:', 'weird'), 'a:', 'bad-type'],
    ['int that does not parse', enc('x1', 'a:', 'int'), 'a:', 'bad-type'],
    ['bool that does not parse', enc('yes', 'a:', 'bool'), 'a:', 'bad-type'],
    ['bad base64', 'ENC[AES256_GCM,data:!!,iv:AAAA,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]', 'a:', 'failed'],
  ])('%s is refused', (_what, value, aad, reason) => {
    expect(() => decryptValue(value, key, aad)).toThrow(expect.objectContaining({ reason }) as Error);
  });

  test('isEncrypted', () => {
    expect(isEncrypted('ENC[AES256_GCM,data:x')).toBe(true);
    expect(isEncrypted('ENC[other')).toBe(false);
  });
});
