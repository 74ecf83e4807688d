import type { AppContext } from '../../../src/request/index.js';
import { isGranted, namespaceGranted } from '../../../src/sops/keystore.js';

const ctx = (o: Partial<AppContext> = {}): AppContext => ({
  appName: 'billing',
  namespace: 'team-a',
  project: 'team-a',
  repoURL: 'https://git.example.com/team-a/apps.git',
  sourcePath: 'apps/billing',
  revision: '',
  kubeVersion: '',
  apiVersions: [],
  ...o,
});
const key = (g: Record<string, string[]>) => ({
  grants: { projects: [], apps: [], repos: [], paths: [], namespaces: ['team-a'], fluxKustomizations: [], ...g },
});

describe('key grants (trusted context only)', () => {
  test.each([
    ['project matches', { projects: ['team-a'] }, ctx(), true],
    ['project glob', { projects: ['team-*'] }, ctx(), true],
    ['no projects listed: no Argo CD app', {}, ctx(), false],
    ['other project', { projects: ['team-b'] }, ctx(), false],
    ['empty project never matches', { projects: ['*'] }, ctx({ project: '' }), false],
    ['app listed', { projects: ['team-a'], apps: ['billing'] }, ctx(), true],
    ['app not listed', { projects: ['team-a'], apps: ['web'] }, ctx(), false],
    ['repo pattern (.git ignored)', { projects: ['team-a'], repos: ['https://git.example.com/team-a/*'] }, ctx(), true],
    ['repo of another team', { projects: ['team-a'], repos: ['https://git.example.com/team-b/*'] }, ctx(), false],
    ['path glob', { projects: ['team-a'], paths: ['apps/**'] }, ctx(), true],
    ['path outside', { projects: ['team-a'], paths: ['infra/**'] }, ctx(), false],
    ['flux tenant', { fluxKustomizations: ['team-a/*'] }, ctx({ fluxKustomization: 'team-a/apps', project: '' }), true],
    ['flux tenant of another namespace', { fluxKustomizations: ['team-a/*'] }, ctx({ fluxKustomization: 'team-b/apps' }), false],
    ['flux app does not match on project', { projects: ['team-a'] }, ctx({ fluxKustomization: 'team-a/apps' }), false],
  ])('%s', (_what, grants, c, expected) => {
    expect(isGranted(key(grants), c)).toBe(expected);
  });

  test.each([
    ['team-a', true],
    ['team-a-dev', true],
    ['team-ab', false],
    ['kube-system', false],
    ['', false],
  ])('namespace %j under [team-a, team-a-*]', (ns, ok) => {
    expect(namespaceGranted({ grants: { ...key({}).grants, namespaces: ['team-a', 'team-a-*'] } }, ns)).toBe(ok);
  });
});
