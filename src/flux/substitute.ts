import { SyncgateError } from '../errors/index.js';
import { identity, parseDocuments, toYamlStream, type K8sObject, type Resource } from '../k8s/index.js';
import { envsubst, EnvsubstError } from './expand.js';

/** The annotation/label key that opts an object out of postBuild substitution. */
export const SUBSTITUTE_KEY = 'kustomize.toolkit.fluxcd.io/substitute';

// kustomize_varsub.go varsubRegex; Go's [:alpha:] is ASCII-only.
const VAR_NAME = /^[_A-Za-z][_A-Za-z0-9]*$/;

/** How postBuild substitution runs (Kustomization `spec.postBuild.substituteStrategy`). */
export interface SubstituteOptions {
  /** Fail on a variable used without a default that is not set (Flux ≥ 1.9 default). */
  strict: boolean;
  /** `Always` also expands when no variable is defined (for `${x:=default}`). */
  strategy: 'WithVariables' | 'Always';
}

/** True when the object is labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled`. */
export function substitutionDisabled(obj: K8sObject): boolean {
  return obj.metadata.labels?.[SUBSTITUTE_KEY] === 'disabled' || obj.metadata.annotations?.[SUBSTITUTE_KEY] === 'disabled';
}

/** Checks every variable name against Flux's rule; throws FLUX_VAR_NAME_INVALID naming it. */
export function checkVarNames(vars: ReadonlyMap<string, string>): void {
  for (const k of vars.keys()) {
    if (!VAR_NAME.test(k)) {
      throw new SyncgateError(
        'FLUX_VAR_NAME_INVALID',
        `postBuild: ${JSON.stringify(k)} var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'`,
      );
    }
  }
}

/**
 * Runs Flux's postBuild substitution on one object: serialise to YAML, expand `${...}` over the
 * whole text, parse back (YAML 1.1, like sigs.k8s.io/yaml). Objects opted out are returned as is.
 * Throws FLUX_SUBSTITUTE_FAILED starting with `Kind/namespace/name`.
 */
export function substituteObject(obj: K8sObject, vars: ReadonlyMap<string, string>, opts: SubstituteOptions): K8sObject {
  if (substitutionDisabled(obj)) return obj;
  if (vars.size === 0 && opts.strategy !== 'Always') return obj;
  checkVarNames(vars);
  const text = toYamlStream([obj]);
  let out: string;
  try {
    out = envsubst(text, (name) => {
      const v = vars.get(name);
      return opts.strict ? [v ?? '', v !== undefined] : [v ?? '', true];
    });
  } catch (e) {
    if (e instanceof EnvsubstError) {
      throw new SyncgateError('FLUX_SUBSTITUTE_FAILED', `${identity(obj)}: post build failed: ${e.message}`, {
        details: e.variable === undefined ? {} : { variable: e.variable },
      });
    }
    throw e;
  }
  if (out === text) return obj;
  let docs: unknown[];
  try {
    docs = parseDocuments(out, identity(obj));
  } catch (e) {
    // The substituted text may carry secret values: report the position only.
    const msg = e instanceof SyncgateError ? e.message.replace(/^[^:]*: /, '') : 'invalid YAML';
    throw new SyncgateError('FLUX_SUBSTITUTE_FAILED', `${identity(obj)}: post build failed: substituted object is not valid YAML: ${msg.split(':')[0] ?? ''}`);
  }
  const doc = docs[0];
  if (docs.length !== 1 || typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new SyncgateError('FLUX_SUBSTITUTE_FAILED', `${identity(obj)}: post build failed: substitution did not yield one object`);
  }
  return doc as K8sObject;
}

/** Substitutes every resource (kustomize-controller's per-object loop), keeping order and sources. */
export function substituteResources(resources: readonly Resource[], vars: ReadonlyMap<string, string>, opts: SubstituteOptions): Resource[] {
  return resources.map((r) => {
    const object = substituteObject(r.object, vars, opts);
    return object === r.object ? r : { ...r, object };
  });
}
