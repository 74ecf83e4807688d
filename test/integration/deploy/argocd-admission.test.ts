// deploy/argocd/admission (real kustomize): the webhook gets Argo CD Applications and
// ApplicationSets, and its GateConfig, fed to the real webhook app, denies a Helm source in an
// enforced project and admits the plugin one.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseConfig, type GateConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { addValidateRoute, createHttpApp } from '../../../src/server/index.js';
import { buildDeployKustomization, root } from './installs.js';

const docs = buildDeployKustomization(join(root, 'deploy', 'argocd', 'admission'));
const config: GateConfig = parseConfig(parse(docs.find((d) => d.metadata.name === 'syncgate-webhook-config')?.['data']['config.yaml'] as string), 'config.yaml');
let server: Server;
beforeAll(async () => {
  const app = createHttpApp();
  addValidateRoute(app, { config, logger: silentLogger() });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((ok) => server.once('listening', () => ok()));
});
afterAll(async () => {
  await new Promise<void>((ok) => server.close(() => ok()));
});

describe('deploy/argocd/admission', () => {
  test('a webhook for argoproj.io applications and applicationsets, fail-closed, on the syncgate service', () => {
    const vwc = docs.find((d) => d.kind === 'ValidatingWebhookConfiguration' && d.metadata.name === 'syncgate-argocd');
    const [w] = vwc?.['webhooks'] as any[];
    expect(w.rules).toEqual([{ operations: ['CREATE', 'UPDATE'], apiGroups: ['argoproj.io'], apiVersions: ['*'], resources: ['applications', 'applicationsets'], scope: 'Namespaced' }]);
    expect(w).toMatchObject({ failurePolicy: 'Fail', sideEffects: 'None', admissionReviewVersions: ['v1'] });
    expect(w.clientConfig.service).toEqual({ namespace: 'syncgate', name: 'syncgate-webhook', path: '/validate', port: 443 });
    expect(config.spec.argocd.applications).toEqual({ projects: ['team-*'], pluginNames: ['syncgate-v1'], discovery: 'deny' });
  });

  test.each([
    ['helm source in team-a', { helm: {} }, 'team-a', false],
    ['plugin source in team-a', { plugin: { name: 'syncgate-v1' } }, 'team-a', true],
    ['helm source in an unenforced project', { helm: {} }, 'platform', true],
  ])('%s → allowed %s', async (_n, extra, project, allowed) => {
    const object = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'web', namespace: 'argocd' },
      spec: { project, source: { repoURL: 'https://git.example.com/a.git', path: 'web', ...extra }, destination: { namespace: 'web' } },
    };
    const review = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u1', operation: 'CREATE', namespace: 'argocd', name: 'web', object } };
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/validate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(review) });
    const body = (await res.json()) as { response: { allowed: boolean } };
    expect(body.response.allowed).toBe(allowed);
  });
});
