import { createDecipheriv, createHmac, createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import type { Identity, Stanza } from 'age-encryption';

// age's X25519 recipient type (age-encryption.org/v1), done with node:crypto so the unwrap of
// each file's data key is native code rather than the pure-JS curve typage falls back to.
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const LABEL = 'age-encryption.org/v1/X25519';
const B64_32 = /^[A-Za-z0-9+/]{43}$/;
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** HKDF-SHA256 (RFC 5869) of one 32-byte block: two HMACs, cheaper than hkdfSync's key objects. */
export function hkdf32(ikm: Buffer, salt: Buffer, info: string): Buffer {
  const prk = createHmac('sha256', salt).update(ikm).digest();
  return createHmac('sha256', prk).update(info).update(Buffer.from([1])).digest();
}

function bech32Data(s: string): Buffer {
  // The identity was already validated (checksum included) by typage's identityToRecipient.
  const data = s.toLowerCase().slice(s.lastIndexOf('1') + 1, -6);
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  for (const c of data) {
    acc = ((acc << 5) | BECH32.indexOf(c)) & 0xffffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** A native X25519 age identity from an `AGE-SECRET-KEY-1…` string. */
export class NativeX25519Identity implements Identity {
  private readonly key: KeyObject;
  private readonly recipient: Buffer;

  constructor(identity: string) {
    const secret = bech32Data(identity);
    if (secret.length !== 32) throw new Error('invalid identity');
    this.key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, secret]), format: 'der', type: 'pkcs8' });
    this.recipient = createPublicKey(this.key).export({ format: 'der', type: 'spki' }).subarray(-32);
  }

  unwrapFileKey(stanzas: Stanza[]): Uint8Array | null {
    for (const s of stanzas) {
      if (s.args[0] !== 'X25519') continue;
      const arg = s.args[1];
      if (s.args.length !== 2 || arg === undefined || !B64_32.test(arg) || s.body.length !== 32) throw new Error('invalid X25519 stanza');
      const share = Buffer.from(arg, 'base64');
      // JWK import is ~10x cheaper than DER in Node 20.
      const peer = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: share.toString('base64url') }, format: 'jwk' });
      const shared = diffieHellman({ privateKey: this.key, publicKey: peer });
      if (shared.every((b) => b === 0)) throw new Error('invalid X25519 stanza');
      const wrap = hkdf32(shared, Buffer.concat([share, this.recipient]), LABEL);
      const body = Buffer.from(s.body);
      try {
        const d = createDecipheriv('chacha20-poly1305', wrap, Buffer.alloc(12), { authTagLength: 16 });
        d.setAuthTag(body.subarray(16));
        return Buffer.concat([d.update(body.subarray(0, 16)), d.final()]);
      } catch {
        // a stanza for another recipient: keep looking
      }
    }
    return null;
  }
}

/** Several native identities tried in turn (one key file may hold several lines). */
export class NativeIdentities implements Identity {
  constructor(private readonly ids: readonly NativeX25519Identity[]) {}

  unwrapFileKey(stanzas: Stanza[]): Uint8Array | null {
    for (const id of this.ids) {
      const k = id.unwrapFileKey(stanzas);
      if (k !== null) return k;
    }
    return null;
  }
}
