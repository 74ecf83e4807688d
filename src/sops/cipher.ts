import { createDecipheriv } from 'node:crypto';
import { parseGoBool, parseGoFloat, parseGoInt10 } from './scalar.js';
import type { Scalar } from './tree.js';

// sops aes/cipher.go: greedy, no `$` anchor; base64 is standard with padding.
const ENC = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/s;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Why a value could not be decrypted: not ciphertext at all, or ciphertext that fails. */
export class CipherError extends Error {
  constructor(
    readonly reason: 'not-encrypted' | 'failed' | 'bad-type',
    message: string,
  ) {
    super(message);
  }
}

/** A decrypted value: a typed scalar, or a comment (`type:comment`). */
export type Plain = { comment: false; value: Scalar } | { comment: true; text: string };

/** True when `s` looks like a sops ciphertext. */
export function isEncrypted(s: string): boolean {
  return s.startsWith('ENC[AES256_GCM,');
}

function b64(s: string, what: string): Buffer {
  if (!B64.test(s) || s.length % 4 !== 0) throw new CipherError('failed', `${what} is not base64`);
  return Buffer.from(s, 'base64');
}


/**
 * Decrypts one `ENC[AES256_GCM,…]` value with the data key and the path AAD (`a:b:`), and types
 * it as sops does. `""` stays `""` (sops never encrypts empty values).
 */
export function decryptValue(text: string, key: Buffer, aad: string): Plain {
  if (text === '') return { comment: false, value: { t: 'str', s: '' } };
  const m = ENC.exec(text);
  if (!m) throw new CipherError('not-encrypted', 'value is not encrypted');
  const data = b64(m[1]!, 'data');
  const iv = b64(m[2]!, 'iv');
  const tag = b64(m[3]!, 'tag');
  const type = m[4]!;
  if (tag.length !== 16 || iv.length === 0) throw new CipherError('failed', 'malformed iv or tag');
  let plain: Buffer;
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(tag);
    plain = Buffer.concat([d.update(data), d.final()]);
  } catch {
    throw new CipherError('failed', 'authentication failed (tampered, moved or wrong key)');
  }
  const s = plain.toString('utf8');
  switch (type) {
    case 'str':
      return { comment: false, value: plain.equals(Buffer.from(s, 'utf8')) ? { t: 'str', s } : { t: 'bytes', buf: plain } };
    case 'bytes':
      return { comment: false, value: { t: 'bytes', buf: plain } };
    case 'int': {
      const n = parseGoInt10(s);
      if (n === undefined) throw new CipherError('bad-type', 'int value does not parse');
      return { comment: false, value: { t: 'int', n } };
    }
    case 'float': {
      const f = parseGoFloat(s);
      if (f === undefined) throw new CipherError('bad-type', 'float value does not parse');
      return { comment: false, value: { t: 'float', f } };
    }
    case 'bool': {
      const b = parseGoBool(s);
      if (b === undefined) throw new CipherError('bad-type', 'bool value does not parse');
      return { comment: false, value: { t: 'bool', b } };
    }
    case 'time':
      return { comment: false, value: { t: 'time', s } };
    case 'comment':
      return { comment: true, text: s };
    default:
      throw new CipherError('bad-type', `unknown value type ${JSON.stringify(type.slice(0, 20))}`);
  }
}
