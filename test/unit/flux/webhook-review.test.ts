// The webhook's decision on one AdmissionRequest, without HTTP (the e2e test covers the wire).
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../../src/config/index.js';
import { review, parseReview } from '../../../src/server/index.js';
import { silentLogger } from '../../../src/log/index.js';

const privileged = JSON.parse(readFileSync('test/fixtures/flux/webhook/deployment-privileged.json', 'utf8'));
const unlabelled = { ...privileged, metadata: { ...privileged.metadata, labels: {} } };
const cfg = (webhook: Record<string, unknown> = {}) => parseConfig({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig', spec: { webhook } });
const req = (object: unknown, extra: Record<string, unknown> = {}) =>
  parseReview({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: 'u-1', operation: 'CREATE', namespace: 'team-a', userInfo: { username: 'alice' }, object, ...extra },
  });

describe('webhook review()', () => {
  test.each<[string, Record<string, unknown>, unknown, Record<string, unknown>, boolean]>([
    ['flux scope, labelled', {}, privileged, {}, false],
    ['flux scope, unlabelled, human user', {}, unlabelled, {}, true],
    ['all scope, unlabelled', { scope: { mode: 'all' } }, unlabelled, {}, false],
    ['excluded namespace', { scope: { excludeNamespaces: ['team-a'] } }, privileged, {}, true],
    ['custom controller username', { scope: { usernames: ['system:serviceaccount:ops:applier'] } }, unlabelled, { userInfo: { username: 'system:serviceaccount:ops:applier' } }, false],
    ['custom scope label', { scope: { labels: ['example.com/managed'] } }, { ...unlabelled, metadata: { ...unlabelled.metadata, labels: { 'example.com/managed': 'yes' } } }, {}, false],
  ])('%s', async (_n, webhook, object, extra, allowed) => {
    const res = await review(req(object, extra), { config: cfg(webhook), logger: silentLogger() });
    expect(res.uid).toBe('u-1');
    expect(res.allowed).toBe(allowed);
  });

  test('the denial message is capped at maxMessageLength and warnings at maxWarnings', async () => {
    const res = await review(req(privileged), { config: cfg({ maxMessageLength: 80, maxWarnings: 1 }), logger: silentLogger() });
    expect(res.allowed).toBe(false);
    expect(res.status!.message.length).toBeLessThanOrEqual(80);
    expect(res.status!.message.endsWith('…')).toBe(true);
    expect((res.warnings ?? []).length).toBeLessThanOrEqual(1);
  });

  test('generateName-only objects are judged under the request name', async () => {
    const { name: _n, ...md } = privileged.metadata;
    const res = await review(req({ ...privileged, metadata: { ...md, generateName: 'web-' } }), { config: cfg(), logger: silentLogger() });
    expect(res.allowed).toBe(false);
    expect(res.status!.message).toContain('Deployment/team-a/web-*');
  });
});
