import { apiGroup, type Resource } from '../../k8s/index.js';
import { asMap, asString, asStringMap } from '../fields.js';
import { podViewOf } from '../podspec.js';
import { effectiveNamespace } from '../scope.js';
import { compileSelector, type LabelMatcher } from '../selector.js';
import type { CheckContext, Policy } from '../types.js';

const indexCache = new WeakMap<readonly Resource[], ReadonlyMap<string, readonly LabelMatcher[]>>();
const NONE: readonly LabelMatcher[] = [];

/** Pod selectors of the render's NetworkPolicies, by namespace (built once per render). */
function selectorsIn(ctx: CheckContext, ns: string): readonly LabelMatcher[] {
  let idx = indexCache.get(ctx.resources);
  if (!idx) {
    const m = new Map<string, LabelMatcher[]>();
    for (const r of ctx.resources) {
      if (r.object.kind !== 'NetworkPolicy' || apiGroup(r.object.apiVersion) !== 'networking.k8s.io') continue;
      const key = effectiveNamespace(r.object, ctx.context.namespace) ?? '';
      const list = m.get(key) ?? [];
      list.push(compileSelector(asMap(r.object['spec'])?.['podSelector'] ?? {}));
      m.set(key, list);
    }
    idx = m;
    indexCache.set(ctx.resources, idx);
  }
  return idx.get(ns) ?? NONE;
}

/** The network pack. */
export const networkPolicies: readonly Policy[] = [
  {
    id: 'network/missing-network-policy', pack: 'network', name: 'missing-network-policy', scope: 'app', severity: 'medium',
    rule: 'every workload must be selected by a NetworkPolicy of the same app and namespace (options.network.requireNetworkPolicy)',
    remediation: 'add a NetworkPolicy whose podSelector matches the pod template labels (a default-deny policy with an empty podSelector covers all)',
    references: { kubescape: 'C-0260', checkov: 'CKV2_K8S_6' },
    check(r, ctx) {
      if (!ctx.config.spec.policies.options.network.requireNetworkPolicy || r.object.kind === 'PodTemplate') return [];
      const view = podViewOf(r.object);
      if (!view) return [];
      const ns = effectiveNamespace(r.object, ctx.context.namespace) ?? '';
      const labels = asStringMap(view.meta?.['labels']);
      if (selectorsIn(ctx, ns).some((selects) => selects(labels))) return [];
      return [{ path: `${view.metaPath}.labels`, message: `no NetworkPolicy in namespace ${JSON.stringify(ns)} selects the pods of ${r.object.kind} ${JSON.stringify(r.object.metadata.name)}` }];
    },
  },
  {
    id: 'network/service-type', pack: 'network', name: 'service-type', scope: 'object', severity: 'medium',
    rule: 'Service types other than options.network.allowedServiceTypes (default ClusterIP, ExternalName) are refused; LoadBalancer and NodePort expose pods outside the cluster',
    remediation: 'use a ClusterIP Service behind the shared ingress/gateway, or ask the platform team to allow the type',
    references: { kubescape: 'C-0256' },
    check(r, ctx) {
      if (r.object.kind !== 'Service' || apiGroup(r.object.apiVersion) !== '') return [];
      const type = asString(asMap(r.object['spec'])?.['type']) ?? 'ClusterIP';
      const allowed: readonly string[] = ctx.config.spec.policies.options.network.allowedServiceTypes;
      return allowed.includes(type) ? [] : [{ path: 'spec.type', message: `Service type ${type} is not allowed` }];
    },
  },
];
