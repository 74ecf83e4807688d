/** One age entry of a key group: the recipient string and the armored age file wrapping the data key or share. */
export interface AgeEntry {
  recipient: string;
  enc: string;
}

/** A key group: its age entries and how many entries of other kinds (PGP, KMS…) syncgate cannot use. */
export interface KeyGroup {
  age: AgeEntry[];
  otherKeys: number;
}

/** The encryption-selection rule of a file (at most one; default `unencrypted_suffix: _unencrypted`). */
export type SelectionRule =
  | { kind: 'unencrypted_suffix' | 'encrypted_suffix'; value: string }
  | { kind: 'unencrypted_regex' | 'encrypted_regex' | 'unencrypted_comment_regex' | 'encrypted_comment_regex'; value: string; re: RegExp };

/** The parsed `sops` block. */
export interface SopsMetadata {
  lastModified: string;
  mac: string;
  version: string;
  rule: SelectionRule;
  macOnlyEncrypted: boolean;
  shamirThreshold: number;
  keyGroups: KeyGroup[];
}

/** A metadata problem; the caller names the file. */
export class MetadataError extends Error {}

const RULES = [
  'unencrypted_suffix',
  'encrypted_suffix',
  'unencrypted_regex',
  'encrypted_regex',
  'unencrypted_comment_regex',
  'encrypted_comment_regex',
] as const;
const KEY_KINDS = ['pgp', 'kms', 'gcp_kms', 'azure_kv', 'hc_vault', 'hckms'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return '';
}

/** Translates an RE2 pattern to a JS RegExp (leading `(?flags)` groups become JS flags). */
export function goRegExp(pattern: string): RegExp {
  let flags = '';
  let p = pattern;
  const m = /^\(\?([imsU]+)\)/.exec(p);
  if (m) {
    for (const f of m[1]!) if (f === 'i' || f === 'm' || f === 's') flags += f;
    p = p.slice(m[0].length);
  }
  try {
    return new RegExp(p, `${flags}u`);
  } catch {
    try {
      return new RegExp(p, flags);
    } catch {
      throw new MetadataError(`regex ${JSON.stringify(pattern)} is not supported`);
    }
  }
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function group(raw: Record<string, unknown>): KeyGroup {
  const age = list(raw['age']).map((e): AgeEntry => {
    if (!isRecord(e)) throw new MetadataError('age entry is not a mapping');
    return { recipient: str(e['recipient']), enc: str(e['enc']) };
  });
  let otherKeys = 0;
  for (const k of KEY_KINDS) otherKeys += list(raw[k]).length;
  return { age, otherKeys };
}

const SEMVER_NUM = /^(0|[1-9][0-9]*)$/;
const SEMVER_IDENT = /^[0-9A-Za-z-]+$/;

/**
 * Whether sops accepts a file's `sops.version` (cmd/sops/common LoadEncryptedFileWithBugFixes →
 * version.AIsNewerThanB): `1.x` as is, else an optional `v` and a strict semantic version
 * (blang/semver Parse: no leading zeros, non-empty pre-release and build identifiers).
 */
export function sopsVersionValid(version: string): boolean {
  if (version.startsWith('1.')) return true;
  const v = version.startsWith('v') ? version.slice(1) : version;
  const parts = v.split('.');
  if (parts.length < 3) return false;
  const [major, minor] = parts as [string, string];
  let patch = parts.slice(2).join('.');
  let build: string[] = [];
  let pre: string[] = [];
  const plus = patch.indexOf('+');
  if (plus >= 0) {
    build = patch.slice(plus + 1).split('.');
    patch = patch.slice(0, plus);
  }
  const dash = patch.indexOf('-');
  if (dash >= 0) {
    pre = patch.slice(dash + 1).split('.');
    patch = patch.slice(0, dash);
  }
  if (![major, minor, patch].every((n) => SEMVER_NUM.test(n) && BigInt(n) < 2n ** 64n)) return false;
  if (!pre.every((p) => SEMVER_IDENT.test(p) && (!/^[0-9]+$/.test(p) || SEMVER_NUM.test(p)))) return false;
  return build.every((b) => SEMVER_IDENT.test(b));
}

/** Parses and validates a `sops` metadata block (already unflattened for dotenv/INI). */
export function parseMetadata(raw: unknown): SopsMetadata {
  if (!isRecord(raw)) throw new MetadataError('sops metadata is not a mapping');
  const version = str(raw['version']);
  if (!sopsVersionValid(version)) {
    throw new MetadataError(version === '' ? 'sops.version is missing' : 'sops.version is not a version sops accepts (semantic version, e.g. 3.10.2)');
  }
  const lastModified = str(raw['lastmodified']);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[-+]\d\d:\d\d)$/.test(lastModified)) {
    throw new MetadataError('sops.lastmodified is missing or not RFC 3339');
  }
  const present = RULES.filter((r) => str(raw[r]) !== '');
  if (present.length > 1) throw new MetadataError(`more than one selection rule: ${present.join(', ')}`);
  const kind = present[0] ?? 'unencrypted_suffix';
  const value = present[0] ? str(raw[kind]) : '_unencrypted';
  const rule: SelectionRule =
    kind === 'unencrypted_suffix' || kind === 'encrypted_suffix' ? { kind, value } : { kind, value, re: goRegExp(value) };

  const top = group(raw);
  let keyGroups: KeyGroup[];
  if (top.age.length + top.otherKeys > 0) keyGroups = [top];
  else keyGroups = list(raw['key_groups']).map((g) => {
    if (!isRecord(g)) throw new MetadataError('key group is not a mapping');
    return group(g);
  });
  if (keyGroups.length === 0) throw new MetadataError('no keys found in sops metadata');
  const thr = Number(str(raw['shamir_threshold']) || '0');
  if (!Number.isInteger(thr) || thr < 0) throw new MetadataError('sops.shamir_threshold is not a number');
  const macOnly = raw['mac_only_encrypted'];
  return {
    lastModified,
    mac: str(raw['mac']),
    version,
    rule,
    macOnlyEncrypted: macOnly === true || macOnly === 'true',
    shamirThreshold: thr,
    keyGroups,
  };
}

/** The MAC's AAD: `lastmodified` as Go's `time.RFC3339` formats it (fractions dropped). */
export function macAad(lastModified: string): string {
  return lastModified.replace(/\.\d+(?=Z|[-+])/, '');
}
