import { randomBytes, randomInt } from 'node:crypto';
import { shamirCombine } from '../../../src/sops/shamir.js';

// A split written independently (table-free GF(2^8) with 0x11B), as HashiCorp's shamir.Split lays
// shares out: y bytes, then x.
function gmul(a: number, b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) {
    if (b & (1 << i)) r ^= a << i;
  }
  for (let i = 15; i >= 8; i--) if (r & (1 << i)) r ^= 0x11b << (i - 8);
  return r;
}

function split(secret: Buffer, parts: number, threshold: number): Buffer[] {
  const xs = Array.from({ length: parts }, (_, i) => i + 1);
  const out = xs.map(() => Buffer.alloc(secret.length + 1));
  for (let b = 0; b < secret.length; b++) {
    const coeffs = [secret[b]!, ...Array.from({ length: threshold - 1 }, () => randomInt(0, 256))];
    xs.forEach((x, i) => {
      let y = 0;
      for (let c = coeffs.length - 1; c >= 0; c--) y = gmul(y, x) ^ coeffs[c]!;
      out[i]![b] = y;
    });
  }
  xs.forEach((x, i) => (out[i]![secret.length] = x));
  return out;
}

describe('Shamir combine (GF(2^8), as sops/HashiCorp)', () => {
  test.each([
    [2, 2],
    [3, 2],
    [5, 3],
    [7, 7],
  ])('%i shares, threshold %i: every threshold-sized subset recovers the secret', (n, t) => {
    const secret = randomBytes(32);
    const shares = split(secret, n, t);
    for (let start = 0; start + t <= n; start++) expect(shamirCombine(shares.slice(start, start + t))).toEqual(secret);
    expect(shamirCombine(shares)).toEqual(secret);
  });

  test('fewer shares than the threshold give a different key (then the MAC refuses)', () => {
    const secret = randomBytes(32);
    expect(shamirCombine(split(secret, 3, 3).slice(0, 2))).not.toEqual(secret);
  });

  test.each([
    [[Buffer.from([1, 2, 1])], 'less than two parts'],
    [[Buffer.from([1, 2, 1]), Buffer.from([3, 4, 1])], 'duplicate part'],
    [[Buffer.from([1, 2, 1]), Buffer.from([3, 2])], 'same length'],
  ])('%j is rejected', (parts, msg) => {
    expect(() => shamirCombine(parts)).toThrow(msg);
  });
});
