// /readyz of the built sidecar answers 503 when a configured tool path names nothing runnable,
// so a bad SYNCGATE_HELM/SYNCGATE_KUSTOMIZE keeps the pod out of service instead of failing
// every render; with the tools present it answers 200.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSidecar, type Sidecar } from '../helpers/sidecar.js';

let dir: string;
let sidecar: Sidecar | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncgate-readyz-'));
  writeFileSync(join(dir, 'not-executable'), '#!/bin/sh\n');
  chmodSync(join(dir, 'not-executable'), 0o644);
});
afterEach(async () => {
  await sidecar?.stop();
  sidecar = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readyz(env: Record<string, string>): Promise<{ status: number; body: string }> {
  sidecar = await startSidecar({ env });
  const res = await fetch(`http://127.0.0.1:${sidecar.httpPort}/readyz`);
  return { status: res.status, body: await res.text() };
}

describe('/readyz and the configured tool paths', () => {
  test('tools present: 200', async () => {
    expect(await readyz({})).toEqual({ status: 200, body: 'ok\n' });
  }, 20_000);

  test.each([
    ['SYNCGATE_HELM at a missing file', { SYNCGATE_HELM: '/nonexistent/helm' }, 'not ready: helm\n'],
    ['SYNCGATE_KUSTOMIZE at a file without the execute bit', { SYNCGATE_KUSTOMIZE: 'DIR/not-executable' }, 'not ready: kustomize\n'],
    ['SYNCGATE_HELM naming a command that is not on PATH', { SYNCGATE_HELM: 'helm-nowhere' }, 'not ready: helm\n'],
  ])('%s: 503', async (_n, env, body) => {
    const e = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace('DIR', dir)]));
    expect(await readyz(e)).toEqual({ status: 503, body });
  }, 20_000);
});
