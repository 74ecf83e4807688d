// Every way deploy/ installs syncgate, rendered with the real tools: each kustomization under
// deploy/ (a remote Argo CD install.yaml swapped for the offline repo-server stub), each
// component through the test/fixtures/deploy overlays, and the Helm values file through a
// chart shaped like argo/argo-cd.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { resolveTool } from '../../../src/exec/index.js';

export const root = join(import.meta.dirname, '..', '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'deploy');

/** A rendered manifest. */
export type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: any };

function tool(name: 'kustomize' | 'helm'): string {
  const t = resolveTool(name);
  if (t === undefined) throw new Error(`${name} missing: run scripts/tools.sh`);
  return t;
}

function docsOf(stdout: string): Doc[] {
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);
}

/** `kustomize build <dir>` with the real kustomize; throws with its stderr on failure. */
export function kustomizeBuild(dir: string): Doc[] {
  const r = spawnSync(tool('kustomize'), ['build', dir], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`kustomize build ${relative(root, dir)}: ${r.stderr}`);
  return docsOf(r.stdout);
}

/** `helm template` of the argo-cd-shaped fixture chart with deploy/argocd/helm/values.yaml. */
export function helmValuesInstall(): Doc[] {
  const r = spawnSync(
    tool('helm'),
    ['template', 'argocd', join(fixtures, 'argo-cd-chart'), '--namespace', 'argocd', '-f', join(root, 'deploy', 'argocd', 'helm', 'values.yaml')],
    { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env['PATH'] ?? '', HOME: tmpdir() } },
  );
  if (r.status !== 0) throw new Error(`helm template: ${r.stderr}`);
  return docsOf(r.stdout);
}

/** Every kustomization.yaml under deploy/, with its kind (Kustomization or Component). */
export function deployKustomizations(): { dir: string; kind: string; resources: string[] }[] {
  const out: { dir: string; kind: string; resources: string[] }[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e === 'kustomization.yaml') {
        const k = parse(readFileSync(p, 'utf8')) as { kind?: string; resources?: string[] };
        out.push({ dir, kind: k.kind ?? 'Kustomization', resources: k.resources ?? [] });
      }
    }
  };
  walk(join(root, 'deploy'));
  return out.sort((a, b) => (a.dir < b.dir ? -1 : 1));
}

/**
 * Builds a deploy/ Kustomization offline: a copy of deploy/ where each remote resource (Argo
 * CD's install.yaml) is replaced by the repo-server stub the component tests use.
 */
export function buildDeployKustomization(dir: string): Doc[] {
  const k = deployKustomizations().find((x) => x.dir === dir);
  if (k === undefined || !k.resources.some((r) => /^https?:\/\//.test(r))) return kustomizeBuild(dir);
  const copy = mkdtempSync(join(tmpdir(), 'syncgate-deploy-'));
  try {
    cpSync(join(root, 'deploy'), join(copy, 'deploy'), { recursive: true });
    cpSync(join(fixtures, 'repo-server-base'), join(copy, 'repo-server-base'), { recursive: true });
    const target = join(copy, relative(root, dir), 'kustomization.yaml');
    const text = readFileSync(target, 'utf8');
    const stub = relative(join(copy, relative(root, dir)), join(copy, 'repo-server-base'));
    writeFileSync(target, text.replace(/^(\s*-\s*)https?:\/\/\S+$/m, `$1${stub}`));
    return kustomizeBuild(join(copy, relative(root, dir)));
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** The fixture overlays that combine the deploy/argocd components. */
export const COMPONENT_OVERLAYS = ['native', 'stock', 'monitoring'] as const;

/** Every install: name → rendered manifests. */
export function allInstalls(): Map<string, Doc[]> {
  const m = new Map<string, Doc[]>();
  for (const k of deployKustomizations()) {
    if (k.kind === 'Kustomization') m.set(relative(root, k.dir), buildDeployKustomization(k.dir));
  }
  for (const o of COMPONENT_OVERLAYS) m.set(`components:${o}`, kustomizeBuild(join(fixtures, o)));
  m.set('helm:deploy/argocd/helm/values.yaml', helmValuesInstall());
  return m;
}

/** The pod template of each Deployment in a rendered install. */
export function podSpecs(docs: readonly Doc[]): { name: string; spec: any }[] {
  return docs.filter((d) => d.kind === 'Deployment').map((d) => ({ name: d.metadata.name, spec: d['spec'].template.spec }));
}
