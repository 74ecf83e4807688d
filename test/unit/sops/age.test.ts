import { Decrypter, Encrypter, armor, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { randomBytes } from 'node:crypto';
import { decryptAgeArmored } from '../../../src/sops/age-decrypt.js';
import { NativeX25519Identity } from '../../../src/sops/x25519-identity.js';

async function sealed(recipients: string[], plain: Uint8Array): Promise<string> {
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  return armor.encode(await e.encrypt(plain));
}

describe('native X25519 age identity and payload', () => {
  test('opens what typage seals, for its own recipient only', async () => {
    const mine = await generateX25519Identity();
    const other = await generateX25519Identity();
    const key = randomBytes(33);
    const file = await sealed([await identityToRecipient(other), await identityToRecipient(mine)], key);
    const d = new Decrypter();
    d.addIdentity(new NativeX25519Identity(mine));
    expect(await decryptAgeArmored(d, file)).toEqual(key);

    const stranger = new Decrypter();
    stranger.addIdentity(new NativeX25519Identity(await generateX25519Identity()));
    await expect(decryptAgeArmored(stranger, file)).rejects.toThrow('no identity matched');
  });

  test('a payload larger than one STREAM chunk', async () => {
    const id = await generateX25519Identity();
    const big = randomBytes(150_000);
    const d = new Decrypter();
    d.addIdentity(new NativeX25519Identity(id));
    expect((await decryptAgeArmored(d, await sealed([await identityToRecipient(id)], big))).equals(big)).toBe(true);
  });

  test('a tampered payload or header is refused', async () => {
    const id = await generateX25519Identity();
    const raw = Buffer.from(armor.decode(await sealed([await identityToRecipient(id)], randomBytes(32))));
    const d = new Decrypter();
    d.addIdentity(new NativeX25519Identity(id));
    const payload = Buffer.from(raw);
    payload[payload.length - 1]! ^= 1;
    await expect(decryptAgeArmored(d, armor.encode(payload))).rejects.toThrow();
    const header = Buffer.from(raw);
    header[30]! ^= 1;
    await expect(decryptAgeArmored(d, armor.encode(header))).rejects.toThrow();
  });
});
