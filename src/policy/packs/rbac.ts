import { apiGroup, type Resource } from '../../k8s/index.js';
import { asList, asMap, asString, type Obj } from '../fields.js';
import { effectiveNamespace } from '../scope.js';
import type { CheckContext, Policy, Violation } from '../types.js';

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
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
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
      out.push({
        rule, path: `rules[${i}]`, groups: strs('apiGroups'), resources: strs('resources'), verbs: strs('verbs'),
        resourceNames: strs('resourceNames'), nonResourceURLs: strs('nonResourceURLs'),
      });
    }
    rules = out;
    ruleCache.set(obj, rules);
  }
  return rules;
}

function grants(rule: Rule, groups: readonly string[], resources: readonly string[], verbs: readonly string[]): boolean {
  return (
    rule.groups.some((g) => g === '*' || groups.includes(g)) &&
    rule.resources.some((x) => x === '*' || resources.includes(x) || (x.endsWith('/*') && resources.some((r) => r.startsWith(x.slice(0, -1))))) &&
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

/** ClusterRoles Kubernetes itself binds to system:authenticated (rbac bootstrap policy). */
const HARMLESS_BUILTINS = new Set(['system:basic-user', 'system:discovery', 'system:public-info-viewer']);
const READ_VERBS = new Set(['get', 'list', 'watch']);
/** Resources whose read access is itself a takeover or data path. */
const SENSITIVE_READ = new Set(['secrets', 'pods/exec', 'pods/attach', 'pods/portforward', 'nodes/proxy', 'serviceaccounts/token']);

/** Why a rule gives system:authenticated too much, or undefined when it is read-only and harmless. */
function tooMuchForEveryone(rule: Rule): string | undefined {
  if (rule.verbs.includes('*')) return 'every verb (*)';
  const writes = rule.verbs.filter((v) => !READ_VERBS.has(v));
  if (writes.length) return writes.join(', ');
  if (rule.nonResourceURLs.length && rule.resources.length === 0) return undefined; // read of /healthz-like URLs
  if (rule.resources.includes('*') || rule.groups.includes('*')) return 'read on every resource (*)';
  const sensitive = rule.resources.filter((r) => SENSITIVE_READ.has(r) || r.endsWith('/*'));
  if (sensitive.length) return `read on ${sensitive.join(', ')}`;
  const proxies = rule.resources.filter((r) => r.endsWith('/proxy'));
  if (proxies.length && rule.resourceNames.length === 0) return `${proxies.join(', ')} without resourceNames`;
  return undefined;
}

function findRole(binding: Resource, ctx: CheckContext, kind: string, name: string): Resource | undefined {
  const ns = effectiveNamespace(binding.object, ctx.context.namespace);
  return ctx.resources.find(
    (r) => r.object.kind === kind && r.object.metadata.name === name && apiGroup(r.object.apiVersion) === 'rbac.authorization.k8s.io' &&
      (kind === 'ClusterRole' || effectiveNamespace(r.object, ctx.context.namespace) === ns),
  );
}

function checkAuthenticated(r: Resource, ctx: CheckContext): Violation[] {
  const subjects = subjectsOf(r).filter((s) => s.kind === 'Group' && s.name === 'system:authenticated');
  if (subjects.length === 0) return [];
  const ref = asMap(r.object['roleRef']);
  const kind = asString(ref?.['kind']) ?? '';
  const name = asString(ref?.['name']) ?? '';
  const what = `${r.object.kind} gives Group "system:authenticated" ${kind} ${JSON.stringify(name)}`;
  let problems: string[];
  if (kind === 'ClusterRole' && HARMLESS_BUILTINS.has(name)) return [];
  const role = findRole(r, ctx, kind, name);
  if (!role) problems = [`which is not in the render, so its permissions cannot be judged`];
  else if (asMap(role.object['aggregationRule'])) problems = ['which aggregates other roles, so its permissions cannot be judged'];
  else {
    problems = [];
    for (const rule of rulesOf(role)) {
      const why = tooMuchForEveryone(rule);
      if (why !== undefined) problems.push(`${rule.path} allows ${why}`);
    }
  }
  if (problems.length === 0) return [];
  return subjects.map((s) => ({ path: `${s.path}.name`, message: `${what} ${problems.join('; ')}` }));
}

const CORE = ['', '*'];
const RBAC_GROUP = ['rbac.authorization.k8s.io'];
const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const ADMISSION_RESOURCES = [
  'validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings',
  'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings',
];

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
  {
    id: 'rbac/authenticated-subject', pack: 'rbac', name: 'authenticated-subject', scope: 'object', severity: 'high',
    rule: 'bindings must not give every authenticated user (Group system:authenticated) more than read access to non-sensitive resources: the bound role must be in the render (or a harmless built-in: system:basic-user, system:discovery, system:public-info-viewer) and grant only get/list/watch, never on secrets, exec/attach/portforward, tokens, or a proxy without resourceNames',
    remediation: 'bind a specific group or service account, or narrow the role to get/list/watch on named resources',
    references: { kubescape: 'C-0265' },
    check: checkAuthenticated,
  },
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
    severity: 'medium', rule: 'roles must not grant pods/exec or pods/attach (create or get: a shell in any pod the role reaches)',
    remediation: 'remove pods/exec and pods/attach; use an audited break-glass role', references: { kubescape: 'C-0002', checkov: 'CKV2_K8S_2', url: 'https://polaris.docs.fairwinds.com/checks/rbac/' },
  }, { groups: CORE, resources: ['pods/exec', 'pods/attach'], verbs: ['create', 'get'] }, 'grants pods/exec or pods/attach'),
  rulePolicy('pods-portforward', {
    severity: 'medium', rule: 'roles must not grant pods/portforward (create or get: a tunnel past NetworkPolicies into any pod)',
    remediation: 'remove pods/portforward; use an audited break-glass role', references: { kubescape: 'C-0063' },
  }, { groups: CORE, resources: ['pods/portforward'], verbs: ['create', 'get'] }, 'grants pods/portforward'),
  rulePolicy('nodes-proxy', {
    severity: 'high', rule: 'roles must not grant nodes/proxy (get or create)',
    remediation: 'remove nodes/proxy; it reaches every kubelet API', references: { kubescape: 'C-0279', checkov: 'CKV2_K8S_2' },
  }, { groups: CORE, resources: ['nodes/proxy'], verbs: ['get', 'create'] }, 'grants nodes/proxy'),
  rulePolicy('admission-control', {
    severity: 'high',
    rule: 'roles must not create, change or delete admission configuration (validating/mutating webhook configurations, validating/mutating admission policies and their bindings): a compromised holder can switch the admission gate off',
    remediation: 'keep admission configuration with the platform (its own GitOps app and role); give controllers read access only',
    references: { kubescape: 'C-0281', checkov: 'CKV_K8S_155' },
  }, { groups: ['admissionregistration.k8s.io'], resources: ADMISSION_RESOURCES, verbs: WRITE_VERBS }, 'can change admission configuration'),
  rulePolicy('serviceaccount-token', {
    severity: 'high', rule: 'roles must not grant create on serviceaccounts/token (mint a token for any service account the role reaches)',
    remediation: 'remove serviceaccounts/token; mount a projected token into the pod that needs it', references: { kubescape: 'C-0282' },
  }, { groups: CORE, resources: ['serviceaccounts/token'], verbs: ['create'] }, 'grants create on serviceaccounts/token'),
  rulePolicy('csr-approval', {
    severity: 'high', rule: 'roles must not approve certificate signing requests (update/patch on certificatesigningrequests/approval)',
    remediation: 'leave CSR approval to the platform\'s approver', references: { kubescape: 'C-0280', checkov: 'CKV_K8S_156' },
  }, { groups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update', 'patch'] }, 'can approve certificate signing requests'),
  rulePolicy('persistent-volume-create', {
    severity: 'medium', rule: 'roles must not create persistentvolumes (a hostPath PersistentVolume reaches the node filesystem)',
    remediation: 'let a StorageClass provision volumes; remove create on persistentvolumes', references: { kubescape: 'C-0278' },
  }, { groups: CORE, resources: ['persistentvolumes'], verbs: ['create'] }, 'grants create on persistentvolumes'),
  rulePolicy('create-workloads', {
    severity: 'medium', rule: 'roles must not create pods or pod controllers (pods, deployments, replicasets, statefulsets, daemonsets, jobs, cronjobs): a pod runs with any service account of its namespace',
    remediation: 'grant create on workloads only to the deploying controller, in its own namespace', references: { kubescape: 'C-0188', url: 'https://docs.kubelinter.io/#/generated/checks?id=access-to-create-pods' },
  }, { groups: ['', 'apps', 'batch', '*'], resources: ['pods', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'replicationcontrollers'], verbs: ['create'] }, 'grants create on pods or workloads'),
  rulePolicy('delete-events', {
    severity: 'medium', rule: 'roles must not delete events (hides an attacker\'s traces: MITRE defense evasion)',
    remediation: 'remove delete and deletecollection on events', references: { kubescape: 'C-0031' },
  }, { groups: ['', 'events.k8s.io', '*'], resources: ['events'], verbs: ['delete', 'deletecollection'] }, 'can delete events'),
];
