// Builders shared by the policy unit tests: configs, contexts and scans of in-memory objects.
import { parseConfig, type GateConfig } from '../../../src/config/index.js';
import type { AppContext } from '../../../src/gate/index.js';
import type { K8sObject, Resource } from '../../../src/k8s/index.js';
import { scanSync, type ScanResult } from '../../../src/policy/index.js';

export const NOW = new Date('2026-06-01T00:00:00Z');

export function config(policies: Record<string, unknown> = {}, exceptions: unknown[] = []): GateConfig {
  return parseConfig({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig', spec: { policies, exceptions } }, '<test>');
}

export function context(over: Partial<AppContext> = {}): AppContext {
  return { appName: 'shop', namespace: 'team-a', project: 'team-a', repoURL: '', sourcePath: '.', revision: '', kubeVersion: '', apiVersions: [], ...over };
}

export function res(object: unknown, extra: Partial<Resource> = {}): Resource {
  return { object: object as K8sObject, source: 'app.yaml', doc: 0, ...extra };
}

export function scanObjects(objects: readonly unknown[], cfg: GateConfig, ctx: AppContext = context(), scope: 'app' | 'object' = 'app'): ScanResult {
  const resources = objects.map((o) => (typeof o === 'object' && o !== null && 'object' in o && 'source' in o ? (o as Resource) : res(o)));
  return scanSync({ resources, config: cfg, context: ctx, scope, now: NOW });
}

/** `policy path` strings of the findings (optionally of one pack prefix). */
export function hits(r: ScanResult, prefix = ''): string[] {
  return r.findings.filter((f) => f.policy.startsWith(prefix)).map((f) => `${f.policy} ${f.path}`);
}

const API: Record<string, string> = {
  Pod: 'v1', PodTemplate: 'v1', ReplicationController: 'v1', Deployment: 'apps/v1', ReplicaSet: 'apps/v1', StatefulSet: 'apps/v1', DaemonSet: 'apps/v1', Job: 'batch/v1', CronJob: 'batch/v1',
};
export const KINDS = Object.keys(API);

/** Wraps pod metadata + spec into a workload of `kind`; returns the object and the pod spec/metadata path prefixes. */
export function workload(kind: string, meta: Record<string, unknown>, spec: Record<string, unknown>, name = 'w'): { obj: K8sObject; spec: string; meta: string } {
  const template = { metadata: meta, spec };
  const md = { name, namespace: 'team-a' };
  switch (kind) {
    case 'Pod':
      return { obj: { apiVersion: 'v1', kind, metadata: { ...md, ...meta }, spec }, spec: 'spec', meta: 'metadata' };
    case 'PodTemplate':
      return { obj: { apiVersion: 'v1', kind, metadata: md, template }, spec: 'template.spec', meta: 'template.metadata' };
    case 'CronJob':
      return { obj: { apiVersion: 'batch/v1', kind, metadata: md, spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } } }, spec: 'spec.jobTemplate.spec.template.spec', meta: 'spec.jobTemplate.spec.template.metadata' };
    default:
      return { obj: { apiVersion: API[kind]!, kind, metadata: md, spec: { template } }, spec: 'spec.template.spec', meta: 'spec.template.metadata' };
  }
}
