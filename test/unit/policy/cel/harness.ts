// Test harness shared by the CEL policy tests: writes policy YAML to a temp dir and runs checks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../../../src/config/index.js';
import type { K8sObject, Resource } from '../../../../src/k8s/index.js';
import { loadCustomPolicies } from '../../../../src/policy/cel/index.js';
import type { CheckContext, Policy, Violation } from '../../../../src/policy/types.js';

export const dirs: string[] = [];

export function writePolicies(yaml: string, name = 'policies.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'syncgate-cel-'));
  dirs.push(dir);
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

export function cleanup(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function load(yaml: string): Policy[] {
  return loadCustomPolicies([writePolicies(yaml)]);
}

export function res(object: K8sObject): Resource {
  return { object, source: 'app.yaml', doc: 0 };
}

export function ctxFor(resources: readonly Resource[], namespace = 'team-a'): CheckContext {
  return {
    context: {
      appName: 'app',
      namespace,
      project: 'default',
      repoURL: 'https://example.invalid/repo.git',
      sourcePath: '.',
      revision: 'HEAD',
      kubeVersion: '1.31.0',
      apiVersions: [],
    },
    config: defaultConfig(),
    resources,
    scope: 'app',
  };
}

export function run(
  policy: Policy,
  object: K8sObject,
  others: readonly K8sObject[] = [],
  namespace = 'team-a',
): Violation[] {
  const r = res(object);
  return policy.check(r, ctxFor([r, ...others.map(res)], namespace));
}

export function deployment(
  name: string,
  extra: { replicas?: number; labels?: Record<string, string>; namespace?: string; image?: string } = {},
): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      ...(extra.namespace ? { namespace: extra.namespace } : {}),
      ...(extra.labels ? { labels: extra.labels } : {}),
    },
    spec: {
      replicas: extra.replicas ?? 1,
      template: { spec: { containers: [{ name: 'app', image: extra.image ?? 'nginx:1.27' }] } },
    },
  };
}

/** A VAP + binding pair with the given spec fragments (YAML, indented for `spec:`). */
export function vap(
  name: string,
  spec: string,
  binding = 'validationActions: [Deny]',
  annotations = '',
): string {
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: ${name}
${annotations ? `  annotations:\n${annotations}\n` : ''}spec:
${spec}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: ${name}-binding
spec:
  policyName: ${name}
${binding
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`;
}

export const DEPLOYMENTS = `  matchConstraints:
    resourceRules:
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["deployments"]`;
