import type { GateConfig } from '../config/index.js';
import { isMap, type K8sObject } from '../k8s/index.js';
import { globMatch } from '../policy/glob.js';

// The source types Argo CD renders itself (pkg/apis/application/v1alpha1 ApplicationSource
// ExplicitType): any of these blocks makes the repo-server skip the plugin.
const OWN_RENDERERS = ['helm', 'kustomize', 'directory'] as const;

type ArgoSettings = GateConfig['spec']['argocd']['applications'];

/** True for `argoproj.io` Applications and ApplicationSets. */
export function isArgoApp(obj: K8sObject): boolean {
  return obj.apiVersion.startsWith('argoproj.io/') && (obj.kind === 'Application' || obj.kind === 'ApplicationSet');
}

/** What is wrong with one source (ApplicationSource or sourceHydrator.drySource), as `path: problem` lines. */
function sourceProblems(src: unknown, at: string, s: ArgoSettings, multi: boolean): string[] {
  if (!isMap(src)) return [`${at}: not an object`];
  const out: string[] = [];
  for (const t of OWN_RENDERERS) {
    if (src[t] !== undefined && src[t] !== null) out.push(`${at}.${t}: Argo CD's own ${t} renderer bypasses syncgate`);
  }
  const plugin = src['plugin'];
  // A ref-only source of a multi-source app (no path, no chart, not OCI) renders nothing
  // (reposerver/repository GenerateManifests "Skipping manifest generation for ref only source").
  const str = (k: string): string => (typeof src[k] === 'string' ? src[k] : '');
  const refOnly = multi && str('ref') !== '' && str('path') === '' && str('chart') === '' && !str('repoURL').startsWith('oci://');
  if (plugin === undefined || plugin === null) {
    if (!refOnly) out.push(`${at}: no plugin: Argo CD would pick its renderer itself (set plugin.name: ${s.pluginNames[0] ?? ''})`);
    return out;
  }
  if (!isMap(plugin)) return [...out, `${at}.plugin: not an object`];
  const name = plugin['name'];
  if (name === undefined || name === null || name === '') {
    if (s.discovery === 'deny') out.push(`${at}.plugin: no name: discovery may pick another plugin (set plugin.name: ${s.pluginNames[0] ?? ''})`);
  } else if (typeof name !== 'string' || !s.pluginNames.includes(name)) {
    out.push(`${at}.plugin.name: ${JSON.stringify(name)} is not the syncgate plugin (${s.pluginNames.join(', ')})`);
  }
  return out;
}

/** Every source of an Application spec (single, multi-source, hydrator dry source). */
function specProblems(spec: unknown, at: string, s: ArgoSettings, partial: boolean): string[] {
  if (!isMap(spec)) return partial ? [] : [`${at}: missing`];
  const out: string[] = [];
  let seen = false;
  if (spec['source'] !== undefined && spec['source'] !== null) {
    seen = true;
    out.push(...sourceProblems(spec['source'], `${at}.source`, s, false));
  }
  const sources = spec['sources'];
  if (Array.isArray(sources)) {
    seen = true;
    sources.forEach((src, i) => out.push(...sourceProblems(src, `${at}.sources[${i}]`, s, true)));
  }
  const hydrator = spec['sourceHydrator'];
  if (isMap(hydrator)) {
    seen = true;
    out.push(...sourceProblems(hydrator['drySource'], `${at}.sourceHydrator.drySource`, s, false));
  }
  if (!seen && !partial) out.push(`${at}: no source`);
  return out;
}

/** The projects an object names (an ApplicationSet's templates may each name one). */
function projectsOf(obj: K8sObject): string[] {
  const spec = isMap(obj['spec']) ? obj['spec'] : {};
  if (obj.kind === 'Application') {
    // Argo CD's ApplicationSpec.GetProject: an empty project is `default`.
    return [typeof spec['project'] === 'string' && spec['project'] !== '' ? spec['project'] : 'default'];
  }
  // A generator's template without a project keeps spec.template's.
  return templatesOf(spec).flatMap(({ template, partial }) => {
    const p = isMap(template['spec']) ? template['spec']['project'] : undefined;
    if (typeof p === 'string' && p !== '') return [p];
    return partial ? [] : ['default'];
  });
}

/**
 * An ApplicationSet's Application templates: `spec.template` and every generator's own
 * `template` (list, git, matrix, merge… may each override fields of spec.template).
 */
function templatesOf(spec: Record<string, unknown>): { template: Record<string, unknown>; at: string; partial: boolean }[] {
  const out: { template: Record<string, unknown>; at: string; partial: boolean }[] = [];
  if (isMap(spec['template'])) out.push({ template: spec['template'], at: 'spec.template', partial: false });
  const walk = (v: unknown, at: string): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (isMap(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'template' && isMap(x)) out.push({ template: x, at: `${at}.template`, partial: true });
        else walk(x, `${at}.${k}`);
      }
    }
  };
  walk(spec['generators'], 'spec.generators');
  return out;
}

/** True when the object belongs to an enforced project; a templated project (`{{…}}`) counts, since it is only known per generated app. */
function enforced(obj: K8sObject, s: ArgoSettings): boolean {
  return projectsOf(obj).some((p) => p.includes('{{') || s.projects.some((g) => globMatch(g, p)));
}

/**
 * Why an Application or ApplicationSet may not be admitted: every source that does not name
 * the syncgate plugin or that selects Argo CD's own renderer, in the projects the platform
 * config names. Empty when it may be admitted (or the check is off or does not apply).
 */
export function argoSourceProblems(obj: K8sObject, config: GateConfig): string[] {
  const s = config.spec.argocd.applications;
  if (s.projects.length === 0 || !isArgoApp(obj) || !enforced(obj, s)) return [];
  const spec = isMap(obj['spec']) ? obj['spec'] : undefined;
  if (obj.kind === 'Application') return specProblems(spec, 'spec', s, false);
  if (spec === undefined) return ['spec: missing'];
  const out: string[] = [];
  // templatePatch is a Go template applied per generated app: it could set any source field.
  if (typeof spec['templatePatch'] === 'string' && spec['templatePatch'].trim() !== '') {
    out.push('spec.templatePatch: may rewrite the sources of every generated Application (not allowed in enforced projects)');
  }
  const templates = templatesOf(spec);
  if (templates.length === 0) out.push('spec.template: missing');
  for (const { template, at, partial } of templates) out.push(...specProblems(template['spec'], `${at}.spec`, s, partial));
  return out;
}

/** The denial text (after `Kind/ns/name: `) for an object with source problems, else undefined. */
export function argoSourceDenial(obj: K8sObject, config: GateConfig): string | undefined {
  const problems = argoSourceProblems(obj, config);
  if (problems.length === 0) return undefined;
  const projects = [...new Set(projectsOf(obj))].map((p) => JSON.stringify(p)).join(', ');
  return [`every source must render through the syncgate plugin (project ${projects})`, ...problems].join('\n');
}
