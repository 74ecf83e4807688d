import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { SyncgateError, isSyncgateError } from '../../errors/index.js';
import { parseDocuments, type K8sObject } from '../../k8s/index.js';
import type { Mode, Policy, Severity } from '../types.js';
import { CelCompileError, compileExpression, type CompiledExpr } from './compile.js';
import { evaluatePair, type CompiledPair } from './evaluate.js';
import { bindingSpec, policySpec, type BindingSpec, type PolicySpec } from './schema.js';

const GROUP = 'admissionregistration.k8s.io/v1';
const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

interface Doc<T> {
  file: string;
  object: K8sObject;
  spec: T;
}

function isObject(v: unknown): v is K8sObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const md = o['metadata'] as Record<string, unknown> | undefined;
  return (
    typeof o['apiVersion'] === 'string' &&
    typeof o['kind'] === 'string' &&
    typeof md?.['name'] === 'string' &&
    md['name'] !== ''
  );
}

function yamlFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new SyncgateError(
      'CONFIG_INVALID',
      `${path}: custom policy path cannot be read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      {
        cause: e,
      },
    );
  }
  if (!st.isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((d) => {
      const p = join(path, d.name);
      if (d.isDirectory()) return yamlFiles(p);
      return /\.(ya?ml|json)$/i.test(d.name) ? [p] : [];
    });
}

function readObjects(file: string): K8sObject[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SyncgateError(
      'CONFIG_INVALID',
      `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause: e },
    );
  }
  let docs: unknown[];
  try {
    docs = parseDocuments(text, file);
  } catch (e) {
    throw new SyncgateError('CONFIG_INVALID', isSyncgateError(e) ? e.message : `${file}: invalid YAML`, {
      cause: e,
    });
  }
  return docs.map((d, i) => {
    if (!isObject(d))
      throw new SyncgateError(
        'CONFIG_INVALID',
        `${file}: document ${String(i + 1)}: not a Kubernetes object with apiVersion, kind and metadata.name`,
      );
    return d;
  });
}

function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${String(p)}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

function parseSpec<T>(schema: z.ZodType<T>, file: string, object: K8sObject): Doc<T> {
  const r = schema.safeParse(object['spec']);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? `spec.${issuePath(issue.path)}` : 'spec';
    throw new SyncgateError(
      'CONFIG_INVALID',
      `${file}: ${object.kind}/${object.metadata.name}: ${where}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return { file, object, spec: r.data };
}

function compile(
  doc: Doc<PolicySpec>,
  where: string,
  source: string,
  variables: ReadonlySet<string>,
): CompiledExpr {
  try {
    return compileExpression(source, variables);
  } catch (e) {
    const msg =
      e instanceof CelCompileError
        ? e.message
        : `compile error: ${e instanceof Error ? e.message : String(e)}`;
    throw new SyncgateError(
      'CONFIG_INVALID',
      `${doc.file}: ValidatingAdmissionPolicy/${doc.object.metadata.name}: ${where}: ${msg}`,
      { cause: e },
    );
  }
}

interface CompiledPolicy {
  doc: Doc<PolicySpec>;
  matchConditions: CompiledPair['matchConditions'];
  variables: CompiledPair['variables'];
  validations: CompiledPair['validations'];
}

function compilePolicy(doc: Doc<PolicySpec>): CompiledPolicy {
  const s = doc.spec;
  if (!s.matchConstraints || s.matchConstraints.resourceRules.length === 0) {
    // Required by the API server too: without rules the policy would silently match nothing.
    throw new SyncgateError(
      'CONFIG_INVALID',
      `${doc.file}: ValidatingAdmissionPolicy/${doc.object.metadata.name}: spec.matchConstraints.resourceRules: required, a policy without them matches nothing`,
    );
  }
  const matchConditions = s.matchConditions.map((m, i) => ({
    name: m.name,
    expr: compile(doc, `matchConditions[${String(i)}].expression`, m.expression, new Set()),
  }));
  const declared = new Set<string>();
  const variables = s.variables.map((v, i) => {
    // Like Kubernetes, a variable may read only the variables declared before it.
    const expr = compile(doc, `variables[${String(i)}].expression`, v.expression, declared);
    declared.add(v.name);
    return { name: v.name, expr };
  });
  const validations = s.validations.map((v, i) => ({
    expr: compile(doc, `validations[${String(i)}].expression`, v.expression, declared),
    message: v.message,
    messageExpr:
      v.messageExpression === undefined
        ? undefined
        : compile(doc, `validations[${String(i)}].messageExpression`, v.messageExpression, declared),
  }));
  return { doc, matchConditions, variables, validations };
}

function modeOf(actions: BindingSpec['validationActions']): Mode {
  // Deny wins (Kubernetes refuses Deny+Warn together; we accept it as Deny), then Warn, then Audit.
  if (actions.includes('Deny')) return 'enforce';
  if (actions.includes('Warn')) return 'warn';
  return 'audit';
}

function annotation(doc: Doc<unknown>, key: string): string | undefined {
  const v = doc.object.metadata.annotations?.[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function severityOf(doc: Doc<PolicySpec>): Severity {
  const v = annotation(doc, 'syncgate.dev/severity');
  if (v === undefined) return 'high';
  if (!(SEVERITIES as readonly string[]).includes(v)) {
    throw new SyncgateError(
      'CONFIG_INVALID',
      `${doc.file}: ValidatingAdmissionPolicy/${doc.object.metadata.name}: metadata.annotations.syncgate.dev/severity: must be one of ${SEVERITIES.join(', ')}`,
    );
  }
  return v as Severity;
}

function checkParams(pol: CompiledPolicy, b: Doc<BindingSpec>, params: readonly K8sObject[]): void {
  const where = `${b.file}: ValidatingAdmissionPolicyBinding/${b.object.metadata.name}`;
  const kind = pol.doc.spec.paramKind;
  const ref = b.spec.paramRef;
  if (kind && !ref)
    throw new SyncgateError(
      'CONFIG_INVALID',
      `${where}: spec.paramRef: required because policy ${pol.doc.object.metadata.name} has a paramKind`,
    );
  if (!kind && ref)
    throw new SyncgateError(
      'CONFIG_INVALID',
      `${where}: spec.paramRef: policy ${pol.doc.object.metadata.name} has no paramKind`,
    );
  if (!kind || !ref || ref.parameterNotFoundAction !== 'Deny') return;
  // Params are data shipped with the policies: a Deny binding whose params cannot exist anywhere
  // would refuse every object it matches, which is a configuration mistake.
  const any = params.some((p) => {
    if (ref.namespace !== undefined && p.metadata.namespace !== ref.namespace) return false;
    return ref.name === undefined || p.metadata.name === ref.name;
  });
  if (!any) {
    const what =
      ref.name !== undefined
        ? `${kind.kind}/${ref.namespace !== undefined ? `${ref.namespace}/` : ''}${ref.name}`
        : `${kind.kind} objects`;
    throw new SyncgateError(
      'CONFIG_INVALID',
      `${where}: spec.paramRef: no ${what} (${kind.apiVersion}) shipped with the custom policies and parameterNotFoundAction is Deny`,
    );
  }
}

/** Reads, validates and compiles the VAPs, bindings and params under `paths` into policies. */
export function loadPolicies(paths: readonly string[]): Policy[] {
  const policies = new Map<string, CompiledPolicy>();
  const bindings: Doc<BindingSpec>[] = [];
  const others: K8sObject[] = [];
  for (const file of paths.flatMap((p) => yamlFiles(p))) {
    for (const object of readObjects(file)) {
      const isVap = object.apiVersion === GROUP && object.kind === 'ValidatingAdmissionPolicy';
      const isBinding = object.apiVersion === GROUP && object.kind === 'ValidatingAdmissionPolicyBinding';
      if (isVap) {
        const name = object.metadata.name;
        const prior = policies.get(name);
        if (prior)
          throw new SyncgateError(
            'CONFIG_INVALID',
            `${file}: ValidatingAdmissionPolicy/${name}: duplicate of the one in ${prior.doc.file}`,
          );
        policies.set(name, compilePolicy(parseSpec(policySpec, file, object)));
      } else if (isBinding) {
        bindings.push(parseSpec(bindingSpec, file, object));
      } else if (/^ValidatingAdmissionPolicy(Binding)?$/.test(object.kind)) {
        throw new SyncgateError(
          'CONFIG_INVALID',
          `${file}: ${object.kind}/${object.metadata.name}: apiVersion ${object.apiVersion} is not supported, use ${GROUP}`,
        );
      } else {
        others.push(object);
      }
    }
  }
  const byPolicy = new Map<string, Doc<BindingSpec>[]>();
  const bindingNames = new Set<string>();
  for (const b of bindings) {
    const name = b.object.metadata.name;
    if (bindingNames.has(name))
      throw new SyncgateError(
        'CONFIG_INVALID',
        `${b.file}: ValidatingAdmissionPolicyBinding/${name}: duplicate binding name`,
      );
    bindingNames.add(name);
    if (!policies.has(b.spec.policyName)) {
      throw new SyncgateError(
        'CONFIG_INVALID',
        `${b.file}: ValidatingAdmissionPolicyBinding/${name}: spec.policyName: no ValidatingAdmissionPolicy named ${b.spec.policyName}`,
      );
    }
    byPolicy.set(b.spec.policyName, [...(byPolicy.get(b.spec.policyName) ?? []), b]);
  }
  const out: Policy[] = [];
  for (const [name, pol] of [...policies].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const bs = byPolicy.get(name) ?? [];
    if (bs.length === 0) {
      // A VAP without a binding does nothing in a cluster; here that is reported, not skipped.
      throw new SyncgateError(
        'CONFIG_INVALID',
        `${pol.doc.file}: ValidatingAdmissionPolicy/${name}: no ValidatingAdmissionPolicyBinding names this policy`,
      );
    }
    const kind = pol.doc.spec.paramKind;
    const params = kind ? others.filter((o) => o.apiVersion === kind.apiVersion && o.kind === kind.kind) : [];
    const severity = severityOf(pol.doc);
    const first = pol.doc.spec.validations[0];
    const rule = first?.message ?? first?.expression ?? name;
    const remediation = annotation(pol.doc, 'syncgate.dev/remediation') ?? rule;
    for (const b of bs) {
      checkParams(pol, b, params);
      const pair: CompiledPair = {
        policyName: name,
        policy: pol.doc.spec,
        binding: b.spec,
        matchConditions: pol.matchConditions,
        variables: pol.variables,
        validations: pol.validations,
        params,
      };
      const policyId = bs.length > 1 ? `${name}/${b.object.metadata.name}` : name;
      out.push({
        id: `custom/${policyId}`,
        pack: 'custom',
        name: policyId,
        severity,
        rule,
        remediation,
        references: {},
        scope: 'object',
        fixedMode: modeOf(b.spec.validationActions),
        check: (resource, ctx) => {
          try {
            return evaluatePair(pair, resource, ctx);
          } catch (e) {
            // evaluatePair guards every expression; this is the contract's last line of defence.
            return [
              { path: 'policy', message: `evaluation failed: ${e instanceof Error ? e.message : String(e)}` },
            ];
          }
        },
      });
    }
  }
  return out;
}
