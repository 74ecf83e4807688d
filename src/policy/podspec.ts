import { apiGroup, type K8sObject } from '../k8s/index.js';
import { asList, asMap, asString, type Obj } from './fields.js';

/** One container of a pod spec with its exact field path. */
export interface ContainerRef {
  readonly container: Obj;
  readonly name: string;
  /** `containers`, `initContainers` or `ephemeralContainers`. */
  readonly list: ContainerList;
  /** e.g. `spec.template.spec.initContainers[1]` */
  readonly path: string;
  /** `securityContext`, when it is a mapping. */
  readonly sc: Obj | undefined;
}

export type ContainerList = 'containers' | 'initContainers' | 'ephemeralContainers';

/** The pod template of a workload, with paths, as Pod Security Admission sees it. */
export interface PodView {
  /** Pod metadata (the template's), may be absent. */
  readonly meta: Obj | undefined;
  readonly metaPath: string;
  readonly spec: Obj;
  /** e.g. `spec.template.spec` */
  readonly specPath: string;
  /** Pod-level `securityContext`. */
  readonly podSC: Obj | undefined;
  /** initContainers, containers, ephemeralContainers: PSA's visiting order. */
  readonly containers: readonly ContainerRef[];
  /** `spec.os.name: windows` */
  readonly windows: boolean;
  /** `spec.hostUsers: false` (a user-namespace pod). */
  readonly userNamespace: boolean;
}

// PSA DefaultPodSpecExtractor's kinds, with the API groups that serve them.
const TEMPLATE_KINDS: Readonly<Record<string, { groups: readonly string[]; path: readonly string[] }>> = {
  Pod: { groups: [''], path: [] },
  PodTemplate: { groups: [''], path: ['template'] },
  ReplicationController: { groups: [''], path: ['spec', 'template'] },
  Deployment: { groups: ['apps', 'extensions'], path: ['spec', 'template'] },
  ReplicaSet: { groups: ['apps', 'extensions'], path: ['spec', 'template'] },
  StatefulSet: { groups: ['apps'], path: ['spec', 'template'] },
  DaemonSet: { groups: ['apps', 'extensions'], path: ['spec', 'template'] },
  Job: { groups: ['batch'], path: ['spec', 'template'] },
  CronJob: { groups: ['batch'], path: ['spec', 'jobTemplate', 'spec', 'template'] },
};

/** Kinds that carry a pod spec (the workload kinds). */
export const WORKLOAD_KINDS: readonly string[] = Object.keys(TEMPLATE_KINDS);

const LISTS: readonly ContainerList[] = ['initContainers', 'containers', 'ephemeralContainers'];
const cache = new WeakMap<object, PodView | null>();

/** The pod spec of a workload object (cached per object), or undefined for other kinds. */
export function podViewOf(obj: K8sObject): PodView | undefined {
  const hit = cache.get(obj);
  if (hit !== undefined) return hit ?? undefined;
  const view = extract(obj);
  cache.set(obj, view ?? null);
  return view;
}

function extract(obj: K8sObject): PodView | undefined {
  const def = TEMPLATE_KINDS[obj.kind];
  if (!def || !def.groups.includes(apiGroup(obj.apiVersion))) return undefined;
  let holder: Obj | undefined = obj;
  for (const k of def.path) {
    holder = asMap(holder?.[k]);
    if (!holder) return undefined;
  }
  const spec = asMap(holder['spec']);
  if (!spec) return undefined;
  const prefix = def.path.length === 0 ? '' : `${def.path.join('.')}.`;
  const specPath = `${prefix}spec`;
  const containers: ContainerRef[] = [];
  for (const list of LISTS) {
    const items = asList(spec[list]);
    for (let i = 0; i < items.length; i++) {
      const c = asMap(items[i]);
      if (!c) continue;
      containers.push({ container: c, name: asString(c['name']) ?? `#${i}`, list, path: `${specPath}.${list}[${i}]`, sc: asMap(c['securityContext']) });
    }
  }
  return {
    meta: asMap(holder['metadata']),
    metaPath: `${prefix}metadata`,
    spec,
    specPath,
    podSC: asMap(spec['securityContext']),
    containers,
    windows: asMap(spec['os'])?.['name'] === 'windows',
    userNamespace: spec['hostUsers'] === false,
  };
}
