import { apiGroup, type Resource } from '../../k8s/index.js';
import { asList, asMap, asString, type Obj } from '../fields.js';
import type { Policy, Violation } from '../types.js';

// RBAC risks on manifests (spec §5). A `*` in verbs, resources or apiGroups always counts as a
// match, as Kubescape encodes its rules; roles are judged on their own because the binding that
// uses them may live elsewhere.

const ROLE_KINDS = new Set(['Role', 'ClusterRole']);
const BINDING_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding']);

interface Rule {
  readonly rule: Obj;
  readonly path: string;
  readonly groups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

const ruleCache = new WeakMap<object, readonly Rule[]>();

function rulesOf(r: Resource): readonly Rule[] {
  const obj = r.object;
  if (!ROLE_KINDS.has(obj.kind) || apiGroup(obj.apiVersion) !== 'rbac.authorization.k8s.io') return [];
  let rules = ruleCache.get(obj);
  if (!rules) {
    const list = asList(obj['rules']);
    const out: Rule[] = [];
    for (let i = 0; i < list.length; i++) {
      const rule = asMap(list[i]);
      if (!rule) continue;
      const strs = (k: string): string[] => asList(rule[k]).filter((x): x is string => typeof x === 'string');
      out.push({ rule, path: `rules[${i}]`, groups: strs('apiGroups'), resources: strs('resources'), verbs: strs('verbs') });
    }
    rules = out;
    ruleCache.set(obj, rules);
  }
  return rules;
}

function grants(rule: Rule, groups: readonly string[], resources: readonly string[], verbs: readonly string[]): boolean {
  return (
    rule.groups.some((g) => g === '*' || groups.includes(g)) &&
    rule.resources.some((x) => x === '*' || resources.includes(x)) &&
    rule.verbs.some((v) => v === '*' || verbs.includes(v))
  );
}

function roleName(r: Resource): string {
  return `${r.object.kind} ${JSON.stringify(r.object.metadata.name)}`;
}

function rulePolicy(
  name: string,
  meta: Pick<Policy, 'severity' | 'rule' | 'remediation' | 'references'>,
  match: { groups: readonly string[]; resources: readonly string[]; verbs: readonly string[]; clusterOnly?: boolean },
  what: string,
): Policy {
  return {
    id: `rbac/${name}`, pack: 'rbac', name, scope: 'object', ...meta,
    check(r) {
      if (match.clusterOnly && r.object.kind !== 'ClusterRole') return [];
      const out: Violation[] = [];
      for (const rule of rulesOf(r)) {
        if (grants(rule, match.groups, match.resources, match.verbs)) out.push({ path: rule.path, message: `${roleName(r)} ${what}` });
      }
      return out;
    },
  };
}

interface Subject {
  kind: string;
  name: string;
  path: string;
}

function subjectsOf(r: Resource): Subject[] {
  if (!BINDING_KINDS.has(r.object.kind) || apiGroup(r.object.apiVersion) !== 'rbac.authorization.k8s.io') return [];
  const list = asList(r.object['subjects']);
  const out: Subject[] = [];
  for (let i = 0; i < list.length; i++) {
    const s = asMap(list[i]);
    if (s) out.push({ kind: asString(s['kind']) ?? '', name: asString(s['name']) ?? '', path: `subjects[${i}]` });
  }
  return out;
}

function subjectPolicy(name: string, meta: Pick<Policy, 'severity' | 'rule' | 'remediation' | 'references'>, names: readonly string[], kinds: readonly string[]): Policy {
  return {
    id: `rbac/${name}`, pack: 'rbac', name, scope: 'object', ...meta,
    check(r) {
      return subjectsOf(r)
        .filter((s) => names.includes(s.name) && kinds.includes(s.kind))
        .map((s) => ({ path: `${s.path}.name`, message: `${r.object.kind} binds ${s.kind} ${JSON.stringify(s.name)}` }));
    },
  };
}

const CORE = ['', '*'];
const RBAC_GROUP = ['rbac.authorization.k8s.io'];

/** The rbac pack. */
export const rbacPolicies: readonly Policy[] = [
  {
    id: 'rbac/wildcard-verbs', pack: 'rbac', name: 'wildcard-verbs', scope: 'object', severity: 'high',
    rule: 'Role and ClusterRole rules must not grant every verb (`*`)',
    remediation: 'list the verbs the subject needs instead of `*`',
    references: { kubescape: 'C-0035', checkov: 'CKV_K8S_49' },
    check(r) {
      return rulesOf(r).filter((x) => x.verbs.includes('*')).map((x) => ({ path: `${x.path}.verbs`, message: `${roleName(r)} grants every verb (*)` }));
    },
  },
  {
    id: 'rbac/wildcard-resources', pack: 'rbac', name: 'wildcard-resources', scope: 'object', severity: 'high',
    rule: 'Role and ClusterRole rules must not grant every resource (`*`)',
    remediation: 'list the resources the subject needs instead of `*`',
    references: { kubescape: 'C-0035', checkov: 'CKV_K8S_49' },
    check(r) {
      return rulesOf(r).filter((x) => x.resources.includes('*')).map((x) => ({ path: `${x.path}.resources`, message: `${roleName(r)} grants every resource (*)` }));
    },
  },
  {
    id: 'rbac/cluster-admin-binding', pack: 'rbac', name: 'cluster-admin-binding', scope: 'object', severity: 'high',
    rule: 'RoleBindings and ClusterRoleBindings must not bind the cluster-admin ClusterRole',
    remediation: 'bind a role that grants only what the subject needs',
    references: { kubescape: 'C-0185' },
    check(r) {
      if (!BINDING_KINDS.has(r.object.kind)) return [];
      const ref = asMap(r.object['roleRef']);
      return ref?.['kind'] === 'ClusterRole' && ref['name'] === 'cluster-admin'
        ? [{ path: 'roleRef.name', message: `${r.object.kind} binds ClusterRole "cluster-admin"` }]
        : [];
    },
  },
  subjectPolicy('system-masters-subject', {
    severity: 'critical', rule: 'bindings must not name the system:masters group (it bypasses RBAC)',
    remediation: 'bind a dedicated group with a scoped role', references: { kubescape: 'C-0246' },
  }, ['system:masters'], ['Group']),
  subjectPolicy('anonymous-subject', {
    severity: 'critical', rule: 'bindings must not name system:anonymous or system:unauthenticated',
    remediation: 'remove the anonymous subject; require authentication', references: { kubescape: 'C-0262' },
  }, ['system:anonymous', 'system:unauthenticated'], ['User', 'Group']),
  subjectPolicy('authenticated-subject', {
    severity: 'high', rule: 'bindings must not grant to every authenticated user (Group system:authenticated)',
    remediation: 'bind a specific group or service account', references: { kubescape: 'C-0265' },
  }, ['system:authenticated'], ['Group']),
  rulePolicy('escalate-bind', {
    severity: 'high', rule: 'roles must not grant escalate or bind on roles/clusterroles',
    remediation: 'remove the escalate and bind verbs', references: { kubescape: 'C-0191', checkov: 'CKV_K8S_157, CKV_K8S_158' },
  }, { groups: RBAC_GROUP, resources: ['roles', 'clusterroles'], verbs: ['escalate', 'bind'] }, 'grants escalate or bind on roles'),
  rulePolicy('impersonate', {
    severity: 'high', rule: 'roles must not grant impersonate on users, groups, serviceaccounts or uids',
    remediation: 'remove the impersonate verb', references: { kubescape: 'C-0065', checkov: 'CKV2_K8S_3' },
  }, { groups: CORE, resources: ['users', 'groups', 'serviceaccounts', 'uids', 'userextras'], verbs: ['impersonate'] }, 'grants impersonate'),
  rulePolicy('secrets-read-cluster-wide', {
    severity: 'high', rule: 'ClusterRoles must not grant get, list or watch on secrets',
    remediation: 'grant secret access in a namespaced Role, for named secrets (resourceNames) only', references: { kubescape: 'C-0015', checkov: 'CKV2_K8S_5' },
  }, { groups: CORE, resources: ['secrets'], verbs: ['get', 'list', 'watch'], clusterOnly: true }, 'grants cluster-wide read on secrets'),
  rulePolicy('pods-exec', {
    severity: 'medium', rule: 'roles must not grant pods/exec (create or get)',
    remediation: 'remove pods/exec; use an audited break-glass role', references: { kubescape: 'C-0002', checkov: 'CKV2_K8S_2' },
  }, { groups: CORE, resources: ['pods/exec'], verbs: ['create', 'get'] }, 'grants pods/exec'),
  rulePolicy('nodes-proxy', {
    severity: 'high', rule: 'roles must not grant nodes/proxy (get or create)',
    remediation: 'remove nodes/proxy; it reaches every kubelet API', references: { kubescape: 'C-0279', checkov: 'CKV2_K8S_2' },
  }, { groups: CORE, resources: ['nodes/proxy'], verbs: ['get', 'create'] }, 'grants nodes/proxy'),
];
