// Credentials recognised by name, after Kubescape C-0012 (regolibrary rule
// rule-credentials-in-env-var / rule-credentials-configmap: a `sensitiveKeyNames` word in the
// env name or ConfigMap key, value non-empty and not starting with `/`). C-0012 matches the words
// as substrings, so `key` fires on CACHE_KEY_PREFIX and `secret` on SECRET_NAME; here the name is
// split into words (`_ - . space` and camelCase), `key` counts only with a qualifier (api, access,
// private…), a name whose last word says it holds a reference (…_FILE, …_PATH, …_NAME, …_REF,
// …_TTL) does not count, and placeholders, paths, numbers and booleans are not literal credentials.

/** Words that make a name a credential wherever they occur (also inside a joined word: dbPassword → db, password). */
const STRONG = ['password', 'passwd', 'passphrase', 'pwd', 'secret', 'token', 'apikey', 'credential', 'credentials', 'jwt', 'bearer', 'privatekey', 'accesskey', 'secretkey'];
/** `pass` only as a whole word (DB_PASS), never inside another (PASSTHROUGH, COMPASS). */
const WHOLE = new Set(['pass']);
/** `key` counts only after one of these. */
const KEY_QUALIFIERS = new Set(['api', 'access', 'secret', 'private', 'signing', 'encryption', 'master', 'account', 'client', 'auth', 'storage', 'shared', 'license', 'hmac', 'session', 'service', 'ssh', 'gpg', 'pgp', 'tls', 'webhook', 'encrypt', 'decrypt', 'root']);
/** A last word that says the value is a reference or a setting about the credential, not the credential. */
const REFERENCE_LAST = new Set([
  'file', 'files', 'path', 'paths', 'dir', 'directory', 'name', 'names', 'ref', 'reference', 'mount', 'location', 'url', 'uri', 'endpoint', 'host',
  'enabled', 'enable', 'disabled', 'disable', 'required', 'length', 'len', 'size', 'ttl', 'expiry', 'expiration', 'expires', 'timeout', 'lifetime',
  'duration', 'interval', 'period', 'header', 'type', 'policy', 'format', 'prefix', 'suffix', 'version', 'count', 'max', 'min', 'algorithm', 'alg',
  'field', 'provider', 'mode', 'namespace', 'issuer', 'audience', 'scope', 'scopes', 'hash', 'salt', 'rotation', 'env', 'var', 'variable', 'id', 'key_id',
  'store', 'source', 'method', 'kind', 'strategy', 'resource', 'annotation', 'label', 'user', 'username', 'login', 'grace', 'cache', 'hint',
]);
const PLACEHOLDER = /\$\(|\$\{|\{\{|%\(|<[a-z_-]+>|^\$[A-Za-z_]/i;
const NOT_SECRET_VALUE = /^(true|false|yes|no|on|off|none|null|nil|enabled|disabled|required|optional|\d+(\.\d+)?[a-z]{0,2}|[A-Z][A-Z0-9_]*_[A-Z0-9_]+)$/;

/** The words of a name: `spring.datasource.password` → spring, datasource, password; `dbPassword` → db, password. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/** Whether a name (env var, ConfigMap key, config setting) names a credential. */
export function isCredentialName(name: string): boolean {
  const words = nameWords(name);
  if (words.length === 0) return false;
  const last = words[words.length - 1] ?? '';
  if (REFERENCE_LAST.has(last)) return false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (WHOLE.has(w)) return true;
    if (w === 'key' && i > 0 && KEY_QUALIFIERS.has(words[i - 1] ?? '')) return true;
    // dbPassword, apiToken, passwords; not tokenizer, secretary, passwordless
    if (STRONG.some((s) => w === s || w.endsWith(s) || (w.startsWith(s) && w.length === s.length + 1 && w.endsWith('s')))) return true;
  }
  return false;
}

/** Whether a value is a literal that could be a credential (not empty, a placeholder, a path, a number or a flag). */
export function isLiteralCredentialValue(value: string): boolean {
  const v = value.trim();
  if (v.length < 4) return false;
  if (v.startsWith('/') || v.startsWith('./') || v.startsWith('~/')) return false;
  if (PLACEHOLDER.test(v)) return false;
  if (NOT_SECRET_VALUE.test(v)) return false;
  if (/\s/.test(v)) return false; // prose, commands and lists are not one credential
  if (/^[a-z][a-z0-9+.-]*:\/\/[^@/]*(\/|$)/i.test(v) && !/^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(v)) return false; // a URL without userinfo
  return true;
}

/** One `name: value` / `name=value` / `"name": "value"` assignment in a config text. */
export interface Assignment {
  name: string;
  value: string;
  /** 0-based line within the text. */
  line: number;
}

const ASSIGNMENT = /^\s*(?:-\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*(?::|=|:=)\s*["']?([^"'\s#,][^"'\s,]*)["']?\s*,?\s*(?:#.*)?$/;

/** Credential-named assignments with literal values in a config text (properties, YAML, JSON, INI, .env). */
export function credentialAssignments(text: string): Assignment[] {
  const out: Assignment[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = ASSIGNMENT.exec(lines[i] ?? '');
    if (!m) continue;
    const name = m[1] ?? '';
    const value = m[2] ?? '';
    if (isCredentialName(name) && isLiteralCredentialValue(value)) out.push({ name, value, line: i });
  }
  return out;
}
