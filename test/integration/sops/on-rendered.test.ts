// gate()'s onRendered hand-off (flux build writes it as the still-encrypted build): a copy taken
// before decryption, untouched by it, flagged when decrypted render inputs went into it.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gate } from '../../../src/gate/index.js';
import type { AppContext } from '../../../src/request/index.js';
import { toYamlStream, type Resource } from '../../../src/k8s/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { FIXTURES, testConfig } from './support.js';

const ctx: AppContext = { appName: 'app', namespace: 'team-a', project: 'team-a', repoURL: 'https://git.example.com/team-a/app', sourcePath: 'app', revision: 'HEAD', kubeVersion: '', apiVersions: [] };
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sg-on-rendered-'));
  const copy = (p: string, f: string): void => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    copyFileSync(join(FIXTURES, 'enc', f), join(root, p));
  };
  copy('dir/secret.yaml', 'secret.yaml');
  mkdirSync(join(root, 'chart', 'templates'), { recursive: true });
  writeFileSync(join(root, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: chart\nversion: 0.1.0\n');
  writeFileSync(join(root, 'chart', 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  n: "1"\n');
  copy('chart/secrets.yaml', 'values-secrets.yaml');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(app: string): Promise<{ seen: { resources: Resource[]; fromDecryptedInputs: boolean } | undefined; emitted: Resource[] }> {
  let seen: { resources: Resource[]; fromDecryptedInputs: boolean } | undefined;
  const r = await gate({
    appDir: join(root, app),
    repoRoot: root,
    context: { ...ctx, sourcePath: app },
    options: {},
    config: testConfig(),
    logger: silentLogger(),
    onRendered: (resources, info) => {
      seen = { resources, ...info };
    },
  });
  return { seen, emitted: r.resources };
}

test('SOPS objects in the render: the hand-off keeps the ciphertext while the pipeline decrypts', async () => {
  const { seen, emitted } = await run('dir');
  expect(seen?.fromDecryptedInputs).toBe(false);
  const before = toYamlStream(seen!.resources.map((r) => r.object));
  expect(before).toContain('ENC[AES256_GCM,');
  expect(before).not.toContain('CANARY-secret-password-4e4e');
  expect(toYamlStream(emitted.map((r) => r.object))).toContain('CANARY-secret-password-4e4e');
  // a copy, not the pipeline's objects
  expect(seen!.resources[0]!.object).not.toBe(emitted[0]!.object);
});

test('a decrypted values file went into the render: flagged', async () => {
  const { seen } = await run('chart');
  expect(seen?.fromDecryptedInputs).toBe(true);
});
