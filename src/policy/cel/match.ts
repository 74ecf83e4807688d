import type { K8sObject } from '../../k8s/index.js';
import type { MatchResources, ResourceRule } from './schema.js';
import { selectorMatches } from './selector.js';

/** What an admission request would say about one rendered object (always a CREATE). */
export interface RequestInfo {
  group: string;
  version: string;
  kind: string;
  resource: string;
  name: string;
  /** Empty for cluster-scoped objects. */
  namespace: string;
  clusterScoped: boolean;
  operation: 'CREATE';
  object: K8sObject;
  /** Labels of the object's namespace (see namespaceLabels in evaluate.ts). */
  namespaceLabels: Readonly<Record<string, string>> | undefined;
}

function anyOf(list: readonly string[], value: string): boolean {
  return list.includes('*') || list.includes(value);
}

function ruleMatches(rule: ResourceRule, req: RequestInfo): boolean {
  if (!anyOf(rule.operations, req.operation)) return false;
  if (!anyOf(rule.apiGroups, req.group)) return false;
  if (!anyOf(rule.apiVersions, req.version)) return false;
  // `*` is every resource but no subresource, `*/*` everything; we only admit main resources.
  if (!rule.resources.some((r) => r === '*' || r === '*/*' || r === req.resource)) return false;
  if (rule.resourceNames.length > 0 && !rule.resourceNames.includes(req.name)) return false;
  if (rule.scope === 'Cluster' && !req.clusterScoped) return false;
  if (rule.scope === 'Namespaced' && req.clusterScoped) return false;
  return true;
}

/**
 * Applies one matchConstraints/matchResources block. A missing block matches everything (a
 * binding without matchResources defers to the policy); for the policy's own constraints the
 * caller passes `requireRules` since Kubernetes requires resourceRules there.
 */
export function matchesResources(
  m: MatchResources | null | undefined,
  req: RequestInfo,
  requireRules: boolean,
): boolean {
  if (!m) return !requireRules;
  if (m.resourceRules.length > 0 || requireRules) {
    if (!m.resourceRules.some((r) => ruleMatches(r, req))) return false;
  }
  if (m.excludeResourceRules.some((r) => ruleMatches(r, req))) return false;
  if (!selectorMatches(m.objectSelector, req.object.metadata.labels)) return false;
  // Kubernetes: a Namespace is matched on its own labels; other cluster-scoped objects always pass.
  if (req.kind === 'Namespace' && req.group === '') {
    return selectorMatches(m.namespaceSelector, req.object.metadata.labels);
  }
  if (req.clusterScoped) return true;
  return selectorMatches(m.namespaceSelector, req.namespaceLabels);
}
