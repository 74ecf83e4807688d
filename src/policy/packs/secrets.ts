import { apiGroup, type Resource } from '../../k8s/index.js';
import { asList, asMap, show, type Obj } from '../fields.js';
import { podViewOf } from '../podspec.js';
import type { Policy, Violation } from '../types.js';
import { findSecrets, SECRET_RULES } from './secret-rules.js';

const RULE_IDS = SECRET_RULES.map((r) => r.id).join(', ');

function report(out: Violation[], value: string, path: string, where: string): void {
  const found = findSecrets(value);
  if (!found) return;
  for (const f of found) out.push({ path, message: `credential (rule ${f.rule}) in ${where} (${f.fingerprint})` });
}

function annotationsOf(meta: Obj | undefined, metaPath: string, out: Violation[]): void {
  const ann = asMap(meta?.['annotations']);
  if (!ann) return;
  for (const k of Object.keys(ann).sort()) {
    const v = ann[k];
    if (typeof v === 'string') report(out, v, `${metaPath}.annotations[${JSON.stringify(k)}]`, `annotation ${k}`);
  }
}

function isCoreKind(r: Resource, kind: string): boolean {
  return r.object.kind === kind && apiGroup(r.object.apiVersion) === '';
}

/** The secrets pack. */
export const secretsPolicies: readonly Policy[] = [
  {
    id: 'secrets/plaintext-secret', pack: 'secrets', name: 'plaintext-secret', scope: 'object', severity: 'high',
    rule: 'a Secret with data must come from a SOPS-encrypted file, not plaintext in the repo',
    remediation: 'encrypt the Secret with sops (age key granted to this app) and commit the encrypted file',
    references: { url: 'https://github.com/gitleaks/gitleaks (kubernetes-secret-yaml)' },
    check(r) {
      if (!isCoreKind(r, 'Secret') || r.decryptedBy !== undefined) return [];
      const out: Violation[] = [];
      for (const f of ['data', 'stringData']) {
        const m = asMap(r.object[f]);
        if (m && Object.values(m).some((v) => v !== null && v !== '')) out.push({ path: f, message: `Secret carries plaintext ${f} that was not SOPS-encrypted in the repo` });
      }
      return out;
    },
  },
  {
    id: 'secrets/credential-in-env', pack: 'secrets', name: 'credential-in-env', scope: 'object', severity: 'high',
    rule: `container env values must not hold credentials (rules: ${RULE_IDS})`,
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
          if (typeof v === 'string') report(out, v, `${c.path}.env[${i}].value`, `env ${JSON.stringify(show(e?.['name']))} of container ${JSON.stringify(c.name)}`);
        }
      }
      return out;
    },
  },
  {
    id: 'secrets/credential-in-configmap', pack: 'secrets', name: 'credential-in-configmap', scope: 'object', severity: 'high',
    rule: `ConfigMap data must not hold credentials (rules: ${RULE_IDS})`,
    remediation: 'move the value into a SOPS-encrypted Secret',
    references: { kubescape: 'C-0012' },
    check(r) {
      if (!isCoreKind(r, 'ConfigMap')) return [];
      const data = asMap(r.object['data']);
      if (!data) return [];
      const out: Violation[] = [];
      for (const k of Object.keys(data).sort()) {
        const v = data[k];
        if (typeof v === 'string') report(out, v, `data[${JSON.stringify(k)}]`, `key ${JSON.stringify(k)}`);
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
