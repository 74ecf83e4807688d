// What syncgate emits is valid: every object `syncgate render` and `syncgate flux build` produce for
// the bundled examples is sent to the real API server with server-side dry-run and strict field
// validation. An object the API server refuses (or warns about) is a bug even if every policy passed.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { cluster, create, namespace, type Json } from './kube.js';

const CLI = join(process.cwd(), 'dist', 'cli', 'main.js');
const env = { ...process.env, PATH: `${join(process.cwd(), '.tools', 'bin')}:${process.env['PATH'] ?? ''}` };

function syncgate(args: string[]): Json[] {
  const out = execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  return (loadAll(out) as (Json | null)[]).filter((o): o is Json => o !== null);
}

const RUNS: [string, string, string[]][] = [
  ['render plain-app', 'demo', ['render', 'examples/plain-app', '--app', 'demo', '--namespace', 'demo', '--repo-root', 'examples/plain-app']],
  ['render helm-app', 'demo', ['render', 'examples/helm-app', '--app', 'demo', '--namespace', 'demo', '--repo-root', 'examples/helm-app']],
  ['render kustomize-app prod overlay', 'demo', ['render', 'examples/kustomize-app/overlays/prod', '--app', 'demo', '--namespace', 'demo', '--repo-root', 'examples/kustomize-app']],
  ['flux build examples/flux', 'team-a', ['-c', 'examples/flux/gateconfig.yaml', 'flux', 'build', 'examples/flux/flux-kustomization.yaml', '--substitute-from', 'examples/flux/cluster-vars.yaml']],
];

describe('emitted manifests are valid', () => {
  beforeAll(async () => {
    cluster();
    await namespace('demo');
    await namespace('team-a');
  }, 150_000);

  describe('what syncgate emits, applied to the API server with server-side dry-run', () => {
    test.each(RUNS)('%s', async (_name, ns, args) => {
      const all = syncgate(args);
      expect(all.length).toBeGreaterThan(2);
      // `flux build` emits the artifact kustomize-controller applies: SOPS objects stay encrypted
      // and postBuild variables stay in place (Flux finishes both in the cluster). Those are not
      // objects for the API server yet; every other object is.
      const unfinished = (o: Json): boolean => 'sops' in o || JSON.stringify(o).includes('${');
      const objects = all.filter((o) => !unfinished(o));
      if (args.includes('flux')) expect(all.filter(unfinished).map((o) => `${String(o['kind'])}/${String(o['metadata']?.['name'])}`)).toEqual(['Secret/db', 'Deployment/web']);
      else expect(objects).toEqual(all);
      const answers: string[] = [];
      for (const o of objects) {
        const a = await create(o, { dryRun: true, fieldValidation: 'Strict', namespace: ns });
        const id = `${String(o['kind'])}/${String(o['metadata']?.['namespace'] ?? ns)}/${String(o['metadata']?.['name'])}`;
        answers.push(`${id}: ${a.status}${a.status === 201 ? '' : ` ${String(a.body['message'])}`}${a.warnings.length ? ` warnings: ${a.warnings.join('; ')}` : ''}`);
      }
      expect(answers).toEqual(answers.map((line) => line.replace(/: .*$/, ': 201')));
    }, 120_000);
  });
});
