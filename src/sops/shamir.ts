// Shamir secret sharing over GF(2^8) with the AES polynomial 0x11B, as in HashiCorp Vault's
// shamir package that sops vendors (shamir/shamir.go): each share is the y bytes followed by x.

function mul(a: number, b: number): number {
  let r = 0;
  while (b > 0) {
    if (b & 1) r ^= a;
    a <<= 1;
    if (a & 0x100) a ^= 0x11b;
    b >>= 1;
  }
  return r;
}

function inv(a: number): number {
  // a^254 = a^-1 in GF(2^8)
  let r = 1;
  let base = a;
  let e = 254;
  while (e > 0) {
    if (e & 1) r = mul(r, base);
    base = mul(base, base);
    e >>= 1;
  }
  return r;
}

/** Recombines a secret from at least two shares (Lagrange interpolation at x = 0, byte by byte). */
export function shamirCombine(parts: readonly Uint8Array[]): Buffer {
  if (parts.length < 2) throw new Error('less than two parts cannot be used to reconstruct the secret');
  const len = parts[0]!.length;
  if (len < 2) throw new Error('parts must be at least two bytes');
  if (parts.some((p) => p.length !== len)) throw new Error('all parts must be the same length');
  const xs = parts.map((p) => p[len - 1]!);
  if (new Set(xs).size !== xs.length) throw new Error('duplicate part detected');
  // Lagrange basis at 0: prod_{j != i} x_j / (x_j - x_i); subtraction is XOR.
  const basis = xs.map((xi, i) => {
    let num = 1;
    let den = 1;
    xs.forEach((xj, j) => {
      if (j === i) return;
      num = mul(num, xj);
      den = mul(den, xj ^ xi);
    });
    return mul(num, inv(den));
  });
  const out = Buffer.alloc(len - 1);
  for (let b = 0; b < len - 1; b++) {
    let v = 0;
    parts.forEach((p, i) => {
      v ^= mul(p[b]!, basis[i]!);
    });
    out[b] = v;
  }
  return out;
}
