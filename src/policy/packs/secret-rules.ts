import { createHash } from 'node:crypto';

// High-precision credential rules ported from gitleaks config/gitleaks.toml (RE2 → JS: `(?i)`
// became the `i` flag, `\x60` a backtick). As in gitleaks, a rule's regex runs only when one of
// its keywords occurs, and the captured secret must reach the rule's Shannon entropy.

/** One credential rule. */
export interface SecretRule {
  readonly id: string;
  readonly description: string;
  /** Literal substrings, one of which must occur before the regex runs. */
  readonly keywords: readonly string[];
  /** Group 1, when present, is the secret; else the whole match. */
  readonly regex: RegExp;
  readonly entropy?: number;
  /** Matches (the secret) to ignore, e.g. AWS's documented example keys. */
  readonly allow?: RegExp;
}

const END = "(?:[`'\"\\s;]|\\\\[nr]|$)";

/** The rules, in reporting order. */
export const SECRET_RULES: readonly SecretRule[] = [
  { id: 'private-key', description: 'PEM private key', keywords: ['-----BEGIN', '-----begin'], regex: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S-]{64,}?KEY(?: BLOCK)?-----/i },
  { id: 'aws-access-token', description: 'AWS access key id', keywords: ['A3T', 'AKIA', 'ASIA', 'ABIA', 'ACCA'], regex: /\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b/, entropy: 3, allow: /EXAMPLE$/ },
  { id: 'gcp-api-key', description: 'Google Cloud API key', keywords: ['AIza'], regex: new RegExp(`\\b(AIza[\\w-]{35})${END}`), entropy: 4 },
  { id: 'azure-storage-key', description: 'Azure storage account key in a connection string', keywords: ['AccountKey='], regex: /AccountKey=([A-Za-z0-9+/]{86}==)/ },
  { id: 'azure-ad-client-secret', description: 'Azure AD client secret', keywords: ['Q~'], regex: /(?:^|[\\'"`\s>=:(,)])([a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34})(?:$|[\\'"`\s<),])/, entropy: 3 },
  { id: 'github-pat', description: 'GitHub personal access token', keywords: ['ghp_'], regex: /ghp_[0-9a-zA-Z]{36}/, entropy: 3 },
  { id: 'github-fine-grained-pat', description: 'GitHub fine-grained personal access token', keywords: ['github_pat_'], regex: /github_pat_\w{82}/, entropy: 3 },
  { id: 'github-oauth', description: 'GitHub OAuth access token', keywords: ['gho_'], regex: /gho_[0-9a-zA-Z]{36}/, entropy: 3 },
  { id: 'github-app-token', description: 'GitHub App token', keywords: ['ghu_', 'ghs_'], regex: /(?:ghu|ghs)_[0-9a-zA-Z]{36}/, entropy: 3 },
  { id: 'gitlab-pat', description: 'GitLab personal access token', keywords: ['glpat-'], regex: /glpat-[\w-]{20}/, entropy: 3 },
  { id: 'slack-bot-token', description: 'Slack bot token', keywords: ['xoxb-'], regex: /xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*/, entropy: 3 },
  { id: 'slack-user-token', description: 'Slack user token', keywords: ['xoxp-', 'xoxe-'], regex: /xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}/, entropy: 2 },
  { id: 'slack-webhook-url', description: 'Slack incoming webhook URL', keywords: ['hooks.slack.com'], regex: /(?:https?:\/\/)?hooks.slack.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{43,56}/ },
  { id: 'stripe-access-token', description: 'Stripe secret or restricted key', keywords: ['sk_test', 'sk_live', 'sk_prod', 'rk_test', 'rk_live', 'rk_prod'], regex: new RegExp(`\\b((?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99})${END}`), entropy: 2 },
  { id: 'npm-access-token', description: 'npm access token', keywords: ['npm_', 'NPM_'], regex: new RegExp(`\\b(npm_[a-z0-9]{36})${END}`, 'i'), entropy: 2 },
  { id: 'anthropic-api-key', description: 'Anthropic API key', keywords: ['sk-ant-api03'], regex: new RegExp(`\\b(sk-ant-api03-[a-zA-Z0-9_\\-]{93}AA)${END}`) },
  { id: 'age-secret-key', description: 'age secret key', keywords: ['AGE-SECRET-KEY-1'], regex: /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}/ },
  { id: 'jwt', description: 'JSON Web Token', keywords: ['ey'], regex: new RegExp(`\\b(ey[a-zA-Z0-9]{17,}\\.ey[a-zA-Z0-9\\/\\\\_-]{17,}\\.(?:[a-zA-Z0-9\\/\\\\_-]{10,}={0,2})?)${END}`), entropy: 3 },
];

function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** A credential found in a value: the rule and a fingerprint, never the value. */
export interface SecretMatch {
  rule: string;
  /** `sha256:` + 12 hex characters of the secret's hash. */
  fingerprint: string;
}

/** Every rule that matches `value` (at most one match per rule). Cheap for values with no keyword. */
export function findSecrets(value: string): SecretMatch[] | undefined {
  return secretsIn(value)?.map(({ rule, fingerprint }) => ({ rule, fingerprint }));
}

/**
 * Like findSecrets, with the matched secret itself, for callers that look for it elsewhere
 * (where it is committed) and must never print it.
 */
export function secretsIn(value: string): (SecretMatch & { secret: string })[] | undefined {
  if (value.length < 16) return undefined;
  let out: (SecretMatch & { secret: string })[] | undefined;
  for (const rule of SECRET_RULES) {
    if (!rule.keywords.some((k) => value.includes(k))) continue;
    const m = rule.regex.exec(value);
    if (!m) continue;
    const secret = m[1] ?? m[0];
    if (rule.entropy !== undefined && entropy(secret) < rule.entropy) continue;
    if (rule.allow?.test(secret)) continue;
    (out ??= []).push({ rule: rule.id, fingerprint: `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`, secret });
  }
  return out;
}
