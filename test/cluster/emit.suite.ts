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
  }, 60_000);

  describe('what syncgate emits, applied to the API server with server-side dry-run', () => {
    test.each(RUNS)('%s', async (_name, ns, args) => {
      const objects = syncgate(args);
      expect(objects.length).toBeGreaterThan(2);
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
