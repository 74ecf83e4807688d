// The one test of "does this carry SOPS metadata" (issue 10: the SOPS stage and the Flux build
// had two with different markers). Cheap and a superset: it decides whether to parse, and the
// parser and the MAC decide the rest.
const SOPS_TEXT = /(?:^|\n)\uFEFF?sops:|"sops"\s*:|(?:^|\n)sops_mac=|(?:^|\n)\s*\[\s*sops\s*\]/;

/**
 * Whether a file's text carries a sops metadata block in any sops format: YAML (a top-level
 * `sops:` key), JSON (a `"sops":` key), dotenv (`sops_mac=`) or INI (a `[sops]` section).
 */
export function looksSopsEncrypted(text: string): boolean {
  return SOPS_TEXT.test(text);
}

/** Whether a parsed object claims to be SOPS-encrypted: any top-level `sops` key, valid or not. */
export function hasSopsMetadata(obj: object): boolean {
  return Object.hasOwn(obj, 'sops');
}
