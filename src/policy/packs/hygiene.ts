import { apiGroup, type Resource } from '../../k8s/index.js';
import { asMap } from '../fields.js';
import { podViewOf } from '../podspec.js';
import { effectiveNamespace } from '../scope.js';
import type { CheckContext, Policy, Violation } from '../types.js';


const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController']);

const saCache = new WeakMap<readonly Resource[], ReadonlySet<string>>();

/** `namespace/name` of the ServiceAccounts in the render that set automountServiceAccountToken: false. */
function nonMountingAccounts(ctx: CheckContext): ReadonlySet<string> {
  let set = saCache.get(ctx.resources);
  if (!set) {
    set = new Set(
      ctx.resources
        .filter((r) => r.object.kind === 'ServiceAccount' && apiGroup(r.object.apiVersion) === '' && r.object['automountServiceAccountToken'] === false)
        .map((r) => `${effectiveNamespace(r.object, ctx.context.namespace) ?? ''}/${r.object.metadata.name}`),
    );
    saCache.set(ctx.resources, set);
  }
  return set;
}

/** The hygiene pack. */
export const hygienePolicies: readonly Policy[] = [
  {
    id: 'hygiene/resources', pack: 'hygiene', name: 'resources', scope: 'object', severity: 'medium',
    rule: 'containers and init containers must set the CPU/memory requests and limits listed in options.hygiene (default: requests cpu+memory, limit memory)',
    remediation: 'set resources.requests and resources.limits on every container',
    references: { kubescape: 'C-0270, C-0271', checkov: 'CKV_K8S_10, CKV_K8S_11, CKV_K8S_12, CKV_K8S_13' },
    check(r, ctx) {
      const view = podViewOf(r.object);
      if (!view || r.object.kind === 'PodTemplate') return [];
      const want = ctx.config.spec.policies.options.hygiene;
      const out: Violation[] = [];
      for (const c of view.containers) {
        if (c.list === 'ephemeralContainers') continue; // ephemeral containers may not set resources
        const res = asMap(c.container['resources']);
        const req = asMap(res?.['requests']);
        const lim = asMap(res?.['limits']);
        const missing = [
          ...want.requests.filter((k) => req?.[k] == null).map((k) => `requests.${k}`),
          ...want.limits.filter((k) => lim?.[k] == null).map((k) => `limits.${k}`),
        ];
        if (missing.length) out.push({ path: `${c.path}.resources`, message: `container ${JSON.stringify(c.name)} must set ${missing.join(', ')}` });
      }
      return out;
    },
  },
  {
    id: 'hygiene/read-only-root-filesystem', pack: 'hygiene', name: 'read-only-root-filesystem', scope: 'object', severity: 'low',
    rule: 'containers must set securityContext.readOnlyRootFilesystem=true (Windows pods exempt)',
    remediation: 'set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes',
    references: { kubescape: 'C-0017', checkov: 'CKV_K8S_22' },
    check(r) {
      const view = podViewOf(r.object);
      if (!view || view.windows) return [];
      return view.containers
        .filter((c) => c.sc?.['readOnlyRootFilesystem'] !== true)
        .map((c) => ({ path: `${c.path}.securityContext.readOnlyRootFilesystem`, message: `container ${JSON.stringify(c.name)} must set securityContext.readOnlyRootFilesystem=true` }));
    },
  },
  {
    id: 'hygiene/automount-service-account-token', pack: 'hygiene', name: 'automount-service-account-token', scope: 'object', severity: 'medium',
    rule: 'pods must not automount the service account token unless they set automountServiceAccountToken or use a ServiceAccount of the render that sets it to false',
    remediation: 'set automountServiceAccountToken: false on the pod spec (or its ServiceAccount) and mount a projected token only where needed',
    references: { kubescape: 'C-0034', checkov: 'CKV_K8S_38' },
    check(r, ctx) {
      const view = podViewOf(r.object);
      if (!view || r.object.kind === 'PodTemplate') return [];
      const v = view.spec['automountServiceAccountToken'];
      if (v === false) return [];
      const sa = typeof view.spec['serviceAccountName'] === 'string' && view.spec['serviceAccountName'] !== '' ? view.spec['serviceAccountName'] : 'default';
      const ns = effectiveNamespace(r.object, ctx.context.namespace) ?? '';
      if (v !== true && nonMountingAccounts(ctx).has(`${ns}/${sa}`)) return [];
      return [{ path: `${view.specPath}.automountServiceAccountToken`, message: `pod automounts the token of service account ${JSON.stringify(sa)}` }];
    },
  },
  {
    id: 'hygiene/default-namespace', pack: 'hygiene', name: 'default-namespace', scope: 'object', severity: 'low',
    rule: 'namespaced objects must not land in the `default` namespace (their own namespace, else the destination namespace)',
    remediation: 'set metadata.namespace or deploy the app to a dedicated namespace',
    references: { kubescape: 'C-0061', checkov: 'CKV_K8S_21' },
    check(r, ctx) {
      return effectiveNamespace(r.object, ctx.context.namespace) === 'default' ? [{ path: 'metadata.namespace', message: `${r.object.kind} is in the default namespace` }] : [];
    },
  },
  {
    id: 'hygiene/probes', pack: 'hygiene', name: 'probes', scope: 'object', severity: 'low',
    rule: 'containers of long-running workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController) must set a livenessProbe and a readinessProbe (init and ephemeral containers and Jobs are exempt)',
    remediation: 'add livenessProbe and readinessProbe (httpGet, tcpSocket, grpc or exec) to every container',
    references: { checkov: 'CKV_K8S_8, CKV_K8S_9', url: 'https://docs.kubelinter.io/#/generated/checks?id=no-liveness-probe' },
    check(r) {
      if (!LONG_RUNNING.has(r.object.kind)) return [];
      const view = podViewOf(r.object);
      if (!view) return [];
      const out: Violation[] = [];
      for (const c of view.containers) {
        if (c.list !== 'containers') continue;
        for (const probe of ['livenessProbe', 'readinessProbe']) {
          if (asMap(c.container[probe]) === undefined) out.push({ path: `${c.path}.${probe}`, message: `container ${JSON.stringify(c.name)} must set ${probe}` });
        }
      }
      return out;
    },
  },
  {
    id: 'hygiene/naked-pod', pack: 'hygiene', name: 'naked-pod', scope: 'object', severity: 'low',
    rule: 'Pods must be managed by a controller (Deployment, StatefulSet, Job…), not declared bare',
    remediation: 'wrap the pod in a Deployment, StatefulSet, DaemonSet or Job',
    references: { kubescape: 'C-0073' },
    check: (r) => (r.object.kind === 'Pod' && apiGroup(r.object.apiVersion) === '' ? [{ path: 'kind', message: 'Pod is not managed by a controller' }] : []),
  },
];
