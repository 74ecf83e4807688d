import type { AppContext } from '../../../src/request/index.js';
import { isGranted } from '../../../src/sops/keystore.js';
import { normalizeRepoURL } from '../../../src/sops/repo-url.js';

describe('repo URLs are normalised before grants match them', () => {
  test.each([
    ['https://git.example.com/team-a/apps.git', 'https://git.example.com/team-a/apps'],
    ['HTTPS://Git.Example.COM:443/team-a/apps/', 'https://git.example.com/team-a/apps'],
    ['https://git.example.com:8443/team-a/apps', 'https://git.example.com:8443/team-a/apps'],
    ['http://git.example.com:80/team-a/apps', 'http://git.example.com/team-a/apps'],
    ['https://user:token@git.example.com/team-a/apps', 'https://git.example.com/team-a/apps'],
    ['git@git.example.com:team-a/apps.git', 'ssh://git.example.com/team-a/apps'],
    ['ssh://git@Git.Example.com:22/team-a/apps.git', 'ssh://git.example.com/team-a/apps'],
    ['https://git.example.com/team-a/%61pps', 'https://git.example.com/team-a/apps'],
    ['https://git.example.com/team-a/../team-b/apps.git', 'https://git.example.com/team-b/apps'],
    ['https://git.example.com/team-a/%2e%2e/team-b/apps', 'https://git.example.com/team-b/apps'],
    ['https://git.example.com/team-a/./apps', 'https://git.example.com/team-a/apps'],
  ])('%s → %s', (raw, norm) => {
    expect(normalizeRepoURL(raw)).toBe(norm);
  });

  test.each([
    'https://git.example.com/team-a/..%2fteam-b%2fapps.git',
    'https://git.example.com/team-a/..%2Fteam-b/apps',
    'https://git.example.com/team-a/..%5cteam-b/apps',
    'https://git.example.com/../team-b',
    'https://git.example.com/team-a/apps?ref=x',
    'https://git.example.com/team-a/apps#frag',
    'https://git.example.com/team-a/%zz',
    'https://git.example.com/team-a/a%00b',
    'not a url',
    '',
  ])('%j cannot be normalised: granted nothing', (raw) => {
    expect(normalizeRepoURL(raw)).toBeUndefined();
  });

  const ctx = (repoURL: string): AppContext => ({ appName: 'a', namespace: 'team-a', project: 'team-a', repoURL, sourcePath: '.', revision: '', kubeVersion: '', apiVersions: [] });
  const key = { grants: { projects: ['team-a'], apps: [], repos: ['https://git.example.com/team-a/*'], paths: [], namespaces: ['team-a'], fluxKustomizations: [] } };
  test.each([
    ['https://git.example.com/team-a/apps.git', true],
    ['HTTPS://GIT.EXAMPLE.COM:443/team-a/apps', true],
    ['git@git.example.com:team-a/apps.git', false], // ssh is another scheme than the grant's
    ['https://git.example.com/team-a/..%2fteam-b%2fapps.git', false],
    ['https://git.example.com/team-a/%2e%2e/team-b/apps.git', false],
    ['https://git.example.com/team-a/../team-b/apps.git', false],
    ['https://git.example.com/team-a/apps/../../team-b/apps', false],
    ['https://git.example.com/team-b/apps', false],
  ])('grant team-a/* and repo %s → %s', (url, ok) => {
    expect(isGranted(key, ctx(url))).toBe(ok);
  });
});
