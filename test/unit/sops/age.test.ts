import { Decrypter, Encrypter, armor, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { randomBytes } from 'node:crypto';
import { decryptAgeArmored } from '../../../src/sops/age-decrypt.js';
import { NativeIdentities, NativeX25519Identity } from '../../../src/sops/x25519-identity.js';

async function sealed(recipients: string[], plain: Uint8Array): Promise<string> {
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  return armor.encode(await e.encrypt(plain));
}

// 'typage': typage's Decrypter with the native identity; 'native': header, MAC and payload in node:crypto.
const open = (mode: 'typage' | 'native', identity: string, file: string): Promise<Buffer> => {
  const d = new Decrypter();
  d.addIdentity(identity);
  return mode === 'typage' ? (d.addIdentity(new NativeX25519Identity(identity)), decryptAgeArmored(d, file)) : decryptAgeArmored(d, file, new NativeIdentities([new NativeX25519Identity(identity)]));
};

describe.each(['typage', 'native'] as const)('age decryption (%s path)', (mode) => {
  test('opens what typage seals, for its own recipient only', async () => {
    const mine = await generateX25519Identity();
    const other = await generateX25519Identity();
    const key = randomBytes(33);
    const file = await sealed([await identityToRecipient(other), await identityToRecipient(mine)], key);
    expect(await open(mode, mine, file)).toEqual(key);
    await expect(open(mode, await generateX25519Identity(), file)).rejects.toThrow('no identity matched');
  });

  test('a payload larger than one STREAM chunk', async () => {
    const id = await generateX25519Identity();
    const big = randomBytes(150_000);
    expect((await open(mode, id, await sealed([await identityToRecipient(id)], big))).equals(big)).toBe(true);
  });

  test.each([
    ['payload', (b: Buffer) => (b[b.length - 1]! ^= 1)],
    ['stanza share', (b: Buffer) => (b[30]! ^= 1)],
    ['header MAC', (b: Buffer) => (b[b.indexOf('\n--- ') + 8]! ^= 1)],
    ['version line', (b: Buffer) => (b[12]! ^= 1)],
    ['truncated payload', (b: Buffer) => b.fill(0, b.length - 8)],
  ])('a tampered %s is refused', async (_what, tamper) => {
    const id = await generateX25519Identity();
    const raw = Buffer.from(armor.decode(await sealed([await identityToRecipient(id)], randomBytes(32))));
    tamper(raw);
    await expect(open(mode, id, armor.encode(raw))).rejects.toThrow();
  });
});
