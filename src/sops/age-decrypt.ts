import { createDecipheriv, hkdfSync } from 'node:crypto';
import { armor, type Decrypter } from 'age-encryption';

const CHUNK = 64 * 1024;
const HEADER_END = Buffer.from('\n--- ');

function openChunk(key: Buffer, counter: number, last: boolean, chunk: Buffer): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = last ? 1 : 0;
  const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  d.setAuthTag(chunk.subarray(chunk.length - 16));
  return Buffer.concat([d.update(chunk.subarray(0, chunk.length - 16)), d.final()]);
}

/**
 * Decrypts an ASCII-armored age file (a sops `enc` entry). typage parses the header, unwraps the
 * file key and checks the header MAC; the STREAM payload is opened with node:crypto, which avoids
 * a web-streams pipeline per file (the hot path when a render carries hundreds of SOPS files).
 */
export async function decryptAgeArmored(decrypter: Decrypter, enc: string): Promise<Buffer> {
  const file = Buffer.from(armor.decode(enc));
  const macLine = file.indexOf(HEADER_END);
  const headerEnd = macLine < 0 ? -1 : file.indexOf(0x0a, macLine + HEADER_END.length);
  if (headerEnd < 0) throw new Error('malformed age header');
  const fileKey = Buffer.from(await decrypter.decryptHeader(file.subarray(0, headerEnd + 1)));
  const body = file.subarray(headerEnd + 1);
  if (body.length < 16 + 16) throw new Error('truncated age payload');
  const key = Buffer.from(hkdfSync('sha256', fileKey, body.subarray(0, 16), 'payload', 32));
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
