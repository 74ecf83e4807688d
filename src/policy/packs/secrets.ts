import { apiGroup, type Resource } from '../../k8s/index.js';
import { asList, asMap, show, type Obj } from '../fields.js';
import { podViewOf } from '../podspec.js';
import type { SourceFiles } from '../sources.js';
import type { Policy, Violation } from '../types.js';
import { credentialAssignments, isCredentialName, isLiteralCredentialValue, nameWords } from './credential-names.js';
import { findSecrets, SECRET_RULES, secretsIn } from './secret-rules.js';

const RULE_IDS = SECRET_RULES.map((r) => r.id).join(', ');

function report(out: Violation[], value: string, path: string, where: string): void {
  const found = findSecrets(value);
  if (!found) return;
  for (const f of found) out.push({ path, message: `credential (rule ${f.rule}) in ${where} (${f.fingerprint})` });
}

/** Kubescape C-0012 by name: a credential-named variable or key with a literal value. */
function byName(out: Violation[], name: string, value: string, path: string, where: string): void {
  if (isCredentialName(name) && isLiteralCredentialValue(value)) out.push({ path, message: `${where} holds a literal credential (by its name); use a secretKeyRef` });
}

function annotationsOf(meta: Obj | undefined, metaPath: string, out: Violation[]): void {
  const ann = asMap(meta?.['annotations']);
  if (!ann) return;
  for (const k of Object.keys(ann).sort()) {
    const v = ann[k];
    if (typeof v === 'string') report(out, v, `${metaPath}.annotations[${JSON.stringify(k)}]`, `annotation ${k}`);
  }
}

/** A Secret key whose last word says it holds connection details, not a credential (host, port, user…). */
const NOT_CREDENTIAL_KEY = new Set([
  'host', 'hostname', 'port', 'user', 'username', 'login', 'database', 'db', 'dbname', 'name', 'namespace', 'region', 'bucket', 'schema', 'email',
  'server', 'address', 'protocol', 'sslmode', 'scheme', 'org', 'organization', 'project', 'tenant', 'cluster', 'url', 'uri', 'endpoint', 'type',
  'id', 'path', 'file', 'mode', 'timeout', 'ttl', 'enabled', 'version', 'zone', 'domain', 'issuer', 'audience', 'scope',
]);
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]+@/i;

interface SecretEntry {
  field: 'data' | 'stringData';
  key: string;
  /** The value as the workload sees it (base64-decoded for `data`, when it is text). */
  plain: string | undefined;
  /** The base64 text of a `data` value, as a manifest would carry it. */
  encoded: string | undefined;
}

function entriesOf(r: Resource): SecretEntry[] {
  const out: SecretEntry[] = [];
  for (const field of ['data', 'stringData'] as const) {
    const m = asMap(r.object[field]);
    if (!m) continue;
    for (const key of Object.keys(m).sort()) {
      const v = m[key];
      if (typeof v !== 'string' || v === '') continue;
      if (field === 'stringData') {
        out.push({ field, key, plain: v, encoded: undefined });
        continue;
      }
      const buf = Buffer.from(v, 'base64');
      const text = buf.toString('utf8');
      out.push({ field, key, plain: buf.includes(0) || text.includes('\uFFFD') ? undefined : text, encoded: v.replace(/\s+/g, '') });
    }
  }
  return out;
}

/** Where an entry's value, or a credential inside it, is written in the repo's files. */
function committedAt(e: SecretEntry, sources: SourceFiles): { where: string; what: string } | undefined {
  const at = (needle: string, what: string): { where: string; what: string } | undefined => {
    const hit = sources.locate(needle);
    return hit ? { where: `${hit.file}:${hit.line}`, what } : undefined;
  };
  if (e.encoded !== undefined && e.encoded.length >= 8) {
    const hit = at(e.encoded, 'base64-encoded');
    if (hit) return hit;
  }
  if (e.plain === undefined) return undefined;
  const plain = e.plain.replace(/\r?\n$/, '');
  if (!plain.includes('\n')) {
    // One value: the credential itself, unless the key names connection details.
    const words = nameWords(e.key);
    if (NOT_CREDENTIAL_KEY.has(words[words.length - 1] ?? '') && !URL_WITH_PASSWORD.test(plain)) return undefined;
    if (plain.length < 6 || !isLiteralCredentialValue(plain)) return undefined;
    return at(plain, 'in plaintext');
  }
  // A config file: only the credentials in it count (tokens, keys, credential-named settings).
  for (const m of secretsIn(plain) ?? []) {
    const hit = at(m.secret, `as a ${m.rule} credential`);
    if (hit) return hit;
  }
  for (const a of credentialAssignments(plain)) {
    const hit = at(a.value, `as the ${JSON.stringify(a.name)} setting`);
    if (hit) return hit;
  }
  return undefined;
}

function isCoreKind(r: Resource, kind: string): boolean {
  return r.object.kind === kind && apiGroup(r.object.apiVersion) === '';
}

/** The secrets pack. */
export const secretsPolicies: readonly Policy[] = [
  {
    id: 'secrets/plaintext-secret', pack: 'secrets', name: 'plaintext-secret', scope: 'object', severity: 'high',
    rule: 'a Secret value must not be committed to the repo in plaintext: a value (or its base64), or a credential inside a config value, that is written in a repo file (values file, template, kustomization, generator input, plain manifest) and not SOPS-encrypted; values generated at render time and non-credential settings do not count (`syncgate scan` judges the files it reads, stdin included; a caller that gives no files at all gets every plaintext Secret reported)',
    remediation: 'encrypt the value with sops (age key granted to this app) and commit the encrypted file, or let the chart generate it',
    references: { url: 'https://github.com/gitleaks/gitleaks (kubernetes-secret-yaml)' },
    check(r, ctx) {
      if (!isCoreKind(r, 'Secret') || r.decryptedBy !== undefined || r.encryptedInRepo === true) return [];
      const entries = entriesOf(r);
      if (entries.length === 0) return [];
      const sources = ctx.sources;
      if (!sources) {
        const fields = [...new Set(entries.map((e) => e.field))];
        return fields.map((f) => ({ path: f, message: `Secret carries plaintext ${f} that was not SOPS-encrypted in the repo` }));
      }
      const out: Violation[] = [];
      for (const e of entries) {
        const hit = committedAt(e, sources);
        if (hit) out.push({ path: `${e.field}[${JSON.stringify(e.key)}]`, message: `Secret ${e.field} key ${JSON.stringify(e.key)} is committed ${hit.what} in ${hit.where}` });
      }
      return out;
    },
  },
  {
    id: 'secrets/credential-in-env', pack: 'secrets', name: 'credential-in-env', scope: 'object', severity: 'high',
    rule: `container env values must not hold credentials: token formats (rules: ${RULE_IDS}) or a literal value in a credential-named variable (PASSWORD, SECRET, TOKEN, API_KEY…, Kubescape C-0012 names split into words; …_FILE, …_PATH, …_NAME and placeholders do not count)`,
    remediation: 'move the value into a SOPS-encrypted Secret and use env[].valueFrom.secretKeyRef',
    references: { kubescape: 'C-0012', checkov: 'CKV_K8S_35' },
    check(r) {
      const view = podViewOf(r.object);
      if (!view) return [];
      const out: Violation[] = [];
      for (const c of view.containers) {
        const env = asList(c.container['env']);
        for (let i = 0; i < env.length; i++) {
          const e = asMap(env[i]);
          const v = e?.['value'];
          if (typeof v !== 'string') continue;
          const name = show(e?.['name']);
          const path = `${c.path}.env[${i}].value`;
          const where = `env ${JSON.stringify(name)} of container ${JSON.stringify(c.name)}`;
          const before = out.length;
          report(out, v, path, where);
          if (out.length === before) byName(out, name, v, path, where);
        }
      }
      return out;
    },
  },
  {
    id: 'secrets/credential-in-configmap', pack: 'secrets', name: 'credential-in-configmap', scope: 'object', severity: 'high',
    rule: `ConfigMap data must not hold credentials: token formats (rules: ${RULE_IDS}), a credential-named key with a literal value, or a credential-named setting with a literal value inside a config file value`,
    remediation: 'move the value into a SOPS-encrypted Secret',
    references: { kubescape: 'C-0012' },
    check(r) {
      if (!isCoreKind(r, 'ConfigMap')) return [];
      const data = asMap(r.object['data']);
      if (!data) return [];
      const out: Violation[] = [];
      for (const k of Object.keys(data).sort()) {
        const v = data[k];
        if (typeof v !== 'string') continue;
        const path = `data[${JSON.stringify(k)}]`;
        const before = out.length;
        report(out, v, path, `key ${JSON.stringify(k)}`);
        if (out.length !== before) continue;
        if (!v.includes('\n')) byName(out, k, v, path, `key ${JSON.stringify(k)}`);
        else for (const a of credentialAssignments(v)) out.push({ path, message: `key ${JSON.stringify(k)} sets credential ${JSON.stringify(a.name)} to a literal value (line ${a.line + 1})` });
      }
      return out;
    },
  },
  {
    id: 'secrets/credential-in-annotation', pack: 'secrets', name: 'credential-in-annotation', scope: 'object', severity: 'high',
    rule: `annotations (object and pod template) must not hold credentials (rules: ${RULE_IDS})`,
    remediation: 'remove the credential from the annotation; keep it in a SOPS-encrypted Secret',
    references: {},
    check(r) {
      const out: Violation[] = [];
      annotationsOf(r.object.metadata, 'metadata', out);
      const view = podViewOf(r.object);
      if (view && view.metaPath !== 'metadata') annotationsOf(view.meta, view.metaPath, out);
      return out;
    },
  },
];
