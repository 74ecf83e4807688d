import { effectiveIdentity, effectiveNamespace } from '../../../src/policy/index.js';

describe('effectiveNamespace', () => {
  test.each<[string, string | undefined, string, string | undefined]>([
    ['Deployment', 'team-b', 'team-a', 'team-b'],
    ['Deployment', undefined, 'team-a', 'team-a'],
    ['Deployment', '', 'team-a', 'team-a'], // an empty namespace is unset, as Argo CD reads it
    ['Deployment', undefined, '', undefined],
    ['MyCustomThing', undefined, 'team-a', 'team-a'], // unknown kinds are taken as namespaced
    ['ClusterRole', undefined, 'team-a', undefined],
    ['ClusterRole', 'team-a', 'team-a', undefined], // Argo CD clears it; it names nothing
    ['Namespace', 'kube-system', 'team-a', undefined],
  ])('%s with namespace %j, destination %j → %j', (kind, namespace, destination, want) => {
    const metadata = namespace === undefined ? {} : { namespace };
    expect(effectiveNamespace({ kind, metadata }, destination)).toBe(want);
  });

  test('identity names a cluster-scoped object without a namespace, even one written in its YAML', () => {
    expect(effectiveIdentity({ kind: 'ClusterRole', metadata: { name: 'r', namespace: 'team-a' } }, 'team-a')).toBe('ClusterRole/r');
    expect(effectiveIdentity({ kind: 'Role', metadata: { name: 'r' } }, 'team-a')).toBe('Role/team-a/r');
  });
});
