import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { armor, Stanza, type Decrypter, type Identity } from 'age-encryption';
import { hkdf32 } from './x25519-identity.js';

const CHUNK = 64 * 1024;
const HEADER_END = Buffer.from('\n--- ');
const B64_LINE = /^[A-Za-z0-9+/]*$/;
const ARG = /^[\x21-\x7e]+$/;


function openChunk(key: Buffer, counter: number, last: boolean, chunk: Buffer): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = last ? 1 : 0;
  const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  d.setAuthTag(chunk.subarray(chunk.length - 16));
  return Buffer.concat([d.update(chunk.subarray(0, chunk.length - 16)), d.final()]);
}

/** Parses the age v1 header (age-encryption.org/v1 spec): stanzas, the MAC and the MACed bytes. */
function parseHeader(file: Buffer): { stanzas: Stanza[]; mac: Buffer; macd: Buffer; end: number } {
  const macLine = file.indexOf(HEADER_END);
  const end = macLine < 0 ? -1 : file.indexOf(0x0a, macLine + HEADER_END.length);
  if (end < 0) throw new Error('malformed age header');
  const lines = file.subarray(0, macLine + 1).toString('latin1').split('\n');
  lines.pop(); // the text after the last "\n" before "--- " is empty
  if (lines.shift() !== 'age-encryption.org/v1') throw new Error('unsupported age version');
  const stanzas: Stanza[] = [];
  while (lines.length > 0) {
    const head = lines.shift()!;
    if (!head.startsWith('-> ')) throw new Error('malformed age stanza');
    const args = head.slice(3).split(' ');
    if (args.length === 0 || !args.every((a) => ARG.test(a))) throw new Error('malformed age stanza');
    const body: string[] = [];
    for (;;) {
      const l = lines.shift();
      if (l === undefined || l.length > 64 || !B64_LINE.test(l)) throw new Error('malformed age stanza body');
      body.push(l);
      if (l.length < 64) break;
    }
    const b64 = body.join('');
    const bytes = Buffer.from(b64, 'base64');
    if (bytes.toString('base64').replace(/=+$/, '') !== b64) throw new Error('non-canonical age stanza body');
    stanzas.push(new Stanza(args, bytes));
  }
  const macText = file.subarray(macLine + HEADER_END.length, end).toString('latin1');
  const mac = Buffer.from(macText, 'base64');
  if (mac.length !== 32 || mac.toString('base64').replace(/=+$/, '') !== macText) throw new Error('malformed age header MAC');
  return { stanzas, mac, macd: file.subarray(0, macLine + 4), end };
}

/**
 * Decrypts an ASCII-armored age file (a sops `enc` entry). With a native X25519 identity the
 * header is parsed, the stanza unwrapped and the header MAC and STREAM payload checked with
 * node:crypto (no web-streams pipeline per file, the hot path when a render carries hundreds of
 * SOPS files); other identities go through typage's Decrypter.
 */
export async function decryptAgeArmored(decrypter: Decrypter, enc: string, identity?: Identity): Promise<Buffer> {
  const file = Buffer.from(armor.decode(enc));
  if (identity === undefined) return Buffer.from(await decrypter.decrypt(file));
  const h = parseHeader(file);
  const unwrapped = await identity.unwrapFileKey(h.stanzas);
  if (unwrapped === null) throw new Error("no identity matched any of the file's recipients");
  const fileKey = Buffer.from(unwrapped);
  const mac = createHmac('sha256', hkdf32(fileKey, Buffer.alloc(0), 'header')).update(h.macd).digest();
  if (!timingSafeEqual(mac, h.mac)) throw new Error('invalid header HMAC');
  const body = file.subarray(h.end + 1);
  if (body.length < 16 + 16) throw new Error('truncated age payload');
  const key = hkdf32(fileKey, body.subarray(0, 16), 'payload');
  const payload = body.subarray(16);
  const out: Buffer[] = [];
  for (let i = 0, off = 0; off < payload.length; i++, off += CHUNK + 16) {
    const chunk = payload.subarray(off, off + CHUNK + 16);
    const last = off + CHUNK + 16 >= payload.length;
    if (!last && chunk.length !== CHUNK + 16) throw new Error('truncated age payload');
    out.push(openChunk(key, i, last, chunk));
  }
  return Buffer.concat(out);
}
