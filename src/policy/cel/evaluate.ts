import type { CelInput, CelValue } from '@bufbuild/cel';
import { apiGroup, isClusterScoped, type K8sObject, type Resource } from '../../k8s/index.js';
import { effectiveNamespace } from '../scope.js';
import type { CheckContext, Violation } from '../types.js';
import type { CompiledExpr, CelVars } from './compile.js';
import { matchesResources, type RequestInfo } from './match.js';
import { resourceFor } from './resources.js';
import type { BindingSpec, PolicySpec } from './schema.js';
import { selectorMatches, type LabelSelector } from './selector.js';
import { fromCel, toCel } from './value.js';

/** A policy and one of its bindings, compiled and ready to run. */
export interface CompiledPair {
  policyName: string;
  policy: PolicySpec;
  binding: BindingSpec;
  matchConditions: { name: string; expr: CompiledExpr }[];
  variables: { name: string; expr: CompiledExpr }[];
  validations: { expr: CompiledExpr; message: string | undefined; messageExpr: CompiledExpr | undefined }[];
  /** Param objects of the policy's paramKind shipped with the policies. */
  params: readonly K8sObject[];
}

const NS_LABEL = 'kubernetes.io/metadata.name';
const namespaceIndex = new WeakMap<readonly Resource[], Map<string, K8sObject>>();

function namespacesIn(resources: readonly Resource[]): Map<string, K8sObject> {
  let idx = namespaceIndex.get(resources);
  if (!idx) {
    idx = new Map();
    for (const r of resources) {
      if (r.object.kind === 'Namespace' && apiGroup(r.object.apiVersion) === '')
        idx.set(r.object.metadata.name, r.object);
    }
    namespaceIndex.set(resources, idx);
  }
  return idx;
}

// Without a cluster, the namespace is the Namespace object of the render when there is one; else a
// stand-in carrying only the label the API server puts on every namespace.
function namespaceObject(ns: string, ctx: CheckContext): K8sObject {
  const found = namespacesIn(ctx.resources).get(ns);
  if (found) return found;
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { [NS_LABEL]: ns } } };
}

function versionOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? apiVersion : apiVersion.slice(i + 1);
}

function requestInfo(object: K8sObject, ctx: CheckContext): { req: RequestInfo; nsObject: K8sObject | null } {
  const clusterScoped = isClusterScoped(object.kind);
  const namespace = effectiveNamespace(object, ctx.context.namespace) ?? '';
  const nsObject = clusterScoped || namespace === '' ? null : namespaceObject(namespace, ctx);
  const req: RequestInfo = {
    group: apiGroup(object.apiVersion),
    version: versionOf(object.apiVersion),
    kind: object.kind,
    resource: resourceFor(object.kind),
    name: object.metadata.name,
    namespace,
    clusterScoped,
    operation: 'CREATE',
    object,
    namespaceLabels: nsObject?.metadata.labels,
  };
  return { req, nsObject };
}

function requestVar(req: RequestInfo): CelInput {
  const kind = { group: req.group, version: req.version, kind: req.kind };
  const resource = { group: req.group, version: req.version, resource: req.resource };
  return toCel({
    uid: '',
    kind,
    resource,
    subResource: '',
    requestKind: kind,
    requestResource: resource,
    requestSubResource: '',
    name: req.name,
    namespace: req.namespace,
    operation: req.operation,
    userInfo: { username: 'syncgate', uid: '', groups: ['system:authenticated'] },
    dryRun: false,
  });
}

function paramsFor(pair: CompiledPair, req: RequestInfo): K8sObject[] {
  const ref = pair.binding.paramRef;
  if (!ref) return [];
  return pair.params.filter((p) => {
    const pns = p.metadata.namespace;
    // paramRef.namespace unset: the object's own namespace (or params shipped without one).
    const nsOk =
      ref.namespace !== undefined ? pns === ref.namespace : pns === undefined || pns === req.namespace;
    if (!nsOk) return false;
    if (ref.name !== undefined) return p.metadata.name === ref.name;
    return selectorMatches(ref.selector as LabelSelector, p.metadata.labels);
  });
}

function errorText(e: unknown, secret: boolean): string {
  // An error may quote a value (quantity('…')); for Secrets nothing of the object is echoed.
  if (secret) return 'evaluation error (details withheld for Secret objects)';
  const text = e instanceof Error ? e.message : String(e);
  // cel-go (the API server) says `no such key` where @bufbuild/cel says `field not found`.
  return text.replace(/(^|: )field not found: /g, '$1no such key: ');
}

function typeName(v: CelValue): string {
  const x = fromCel(v);
  return x === null ? 'null' : Array.isArray(x) ? 'list' : typeof x;
}

interface Prepared {
  resources: readonly Resource[];
  namespace: string;
  req: RequestInfo;
  base: Omit<CelVars, 'params' | 'variables'>;
}

// Every custom policy sees the same request for an object: build it once per object and render.
const prepared = new WeakMap<K8sObject, Prepared>();

function prepare(object: K8sObject, ctx: CheckContext): Prepared {
  const hit = prepared.get(object);
  if (hit?.resources === ctx.resources && hit.namespace === ctx.context.namespace) return hit;
  const { req, nsObject } = requestInfo(object, ctx);
  const base = {
    object: toCel(object),
    oldObject: null,
    request: requestVar(req),
    namespaceObject: nsObject ? toCel(nsObject) : null,
  };
  const p: Prepared = { resources: ctx.resources, namespace: ctx.context.namespace, req, base };
  prepared.set(object, p);
  return p;
}

/** Runs one (policy, binding) pair on one object; never throws. */
export function evaluatePair(pair: CompiledPair, resource: Resource, ctx: CheckContext): Violation[] {
  const { req, base } = prepare(resource.object, ctx);
  if (!matchesResources(pair.policy.matchConstraints, req, true)) return [];
  if (!matchesResources(pair.binding.matchResources, req, false)) return [];
  const ref = pair.binding.paramRef;
  let params: (K8sObject | null)[] = [null];
  if (pair.policy.paramKind && ref) {
    params = paramsFor(pair, req);
    if (params.length === 0) {
      if (ref.parameterNotFoundAction === 'Allow') return [];
      return [
        {
          path: 'paramRef',
          // The API server's dispatcher wraps binding errors this way (addConfigError).
          message: 'failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction',
        },
      ];
    }
  }
  // Any object that came out of SOPS is treated like a Secret: no messageExpression, no error detail.
  const secret = (req.kind === 'Secret' && req.group === '') || resource.decryptedBy !== undefined;
  const fail = pair.policy.failurePolicy === 'Fail';
  const out: Violation[] = [];
  const seen = new Set<string>();
  const push = (v: Violation): void => {
    const key = `${v.path}\0${v.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  };
  for (const param of params) {
    const computed = new Map<string, CelValue | Error>();
    const vars: CelVars = { ...base, params: param ? toCel(param) : null, variables: new Map() };
    const withVariables = (uses: ReadonlySet<string>): CelVars => {
      if (uses.size === 0) return vars;
      // Variables are lazy: only those an expression reads (and what they read) are evaluated, in order.
      const wanted = closure(pair, uses);
      for (const v of pair.variables) {
        if (computed.has(v.name) || !wanted.has(v.name)) continue;
        try {
          computed.set(v.name, v.expr.run({ ...vars, variables: ready(computed) }));
        } catch (e) {
          computed.set(v.name, e instanceof Error ? e : new Error(String(e)));
        }
      }
      for (const name of uses) {
        const r = computed.get(name);
        if (r instanceof Error) throw new Error(`composited variable ${JSON.stringify(name)} fails to evaluate: ${r.message}`);
      }
      return { ...vars, variables: ready(computed) };
    };
    let matched = true;
    for (const mc of pair.matchConditions) {
      try {
        const r = mc.expr.run(vars);
        if (typeof r !== 'boolean') throw new Error(`expression returned ${typeName(r)}, want bool`);
        if (!r) {
          matched = false;
          break;
        }
      } catch (e) {
        matched = false;
        if (fail)
          push({
            path: `matchConditions[${mc.name}]`,
            // As the API server's matchconditions matcher words it: the expression, not the name.
            message: `expression '${mc.expr.source}' resulted in error: ${errorText(e, secret)}`,
          });
        break;
      }
    }
    if (!matched) continue;
    for (const [i, v] of pair.validations.entries()) {
      const path = `validations[${String(i)}]`;
      let ok: boolean;
      try {
        const r = v.expr.run(withVariables(v.expr.uses));
        if (typeof r !== 'boolean') throw new Error(`expression returned ${typeName(r)}, want bool`);
        ok = r;
      } catch (e) {
        if (fail)
          push({ path, message: `expression '${v.expr.source}' resulted in error: ${errorText(e, secret)}` });
        continue;
      }
      if (ok) continue;
      push({ path, message: messageFor(v, withVariables, secret) });
    }
  }
  return out;
}

// A variable may only read earlier ones, so one backwards pass collects what `uses` depends on.
function closure(pair: CompiledPair, uses: ReadonlySet<string>): Set<string> {
  const out = new Set(uses);
  for (let i = pair.variables.length - 1; i >= 0; i--) {
    const v = pair.variables[i];
    if (v && out.has(v.name)) for (const u of v.expr.uses) out.add(u);
  }
  return out;
}

function ready(computed: Map<string, CelValue | Error>): Map<string, CelInput> {
  const m = new Map<string, CelInput>();
  for (const [k, v] of computed) if (!(v instanceof Error)) m.set(k, v);
  return m;
}

function messageFor(
  v: CompiledPair['validations'][number],
  withVariables: (uses: ReadonlySet<string>) => CelVars,
  secret: boolean,
): string {
  // Kubernetes falls back to `message` when messageExpression errors or is not one non-empty line;
  // for Secrets it is never evaluated, so a value cannot leak into a finding.
  if (v.messageExpr && !secret) {
    try {
      const r = v.messageExpr.run(withVariables(v.messageExpr.uses));
      // The API server trims the result (validating/validator.go) before these checks.
      if (typeof r === 'string' && r.trim() !== '' && !r.includes('\n')) return r.trim().slice(0, 5000);
    } catch {
      // fall back to the static message
    }
  }
  return v.message ?? `failed expression: ${v.expr.source}`;
}
