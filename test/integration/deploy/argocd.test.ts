// deploy/argocd builds offline against a stub argocd-repo-server (real kustomize) and gives
// the sidecar what Argo CD and the trust model need, in native and in stock mode.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig } from '../../../src/config/index.js';
import { parsePluginConfig, socketName } from '../../../src/cmp/plugin-config.js';
import { resolveTool } from '../../../src/exec/index.js';

const root = join(import.meta.dirname, '..', '..', '..');

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value: string }[];
  ports?: unknown[];
  readinessProbe?: unknown;
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}
interface Built {
  containers: Container[];
  volumes: { name: string; emptyDir?: { medium?: string }; configMap?: { name: string }; secret?: { secretName: string } }[];
  configMaps: { metadata: { name: string }; data: Record<string, string> }[];
}

function build(overlay: string): Built {
  const kustomize = resolveTool('kustomize');
  if (kustomize === undefined) throw new Error('kustomize missing: run scripts/tools.sh');
  const r = spawnSync(kustomize, ['build', join(root, 'test', 'fixtures', 'deploy', overlay)], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec?: any; data?: any });
  const deploy = docs.find((d) => d.kind === 'Deployment');
  return {
    containers: deploy?.spec.template.spec.containers,
    volumes: deploy?.spec.template.spec.volumes,
    configMaps: docs.filter((d) => d.kind === 'ConfigMap') as Built['configMaps'],
  };
}

describe.each([
  ['native', ['syncgate', 'serve']],
  ['stock', ['/var/run/argocd/argocd-cmp-server']],
])('%s mode', (mode, command) => {
  const built = build(mode);
  const sidecar = built.containers.find((c) => c.name === 'syncgate') as Container;

  test('the sidecar runs the mode command next to an untouched repo-server', () => {
    expect(sidecar.args).toEqual(command);
    expect(built.containers.map((c) => c.name).sort()).toEqual(['argocd-repo-server', 'syncgate']);
    if (mode === 'native') expect(sidecar.readinessProbe).toBeDefined();
    else expect(sidecar.readinessProbe).toBeUndefined();
  });

  test('uid 999, non-root, read-only root, no capabilities, RuntimeDefault seccomp', () => {
    expect(sidecar.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 999,
      runAsGroup: 999,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('own memory-backed /tmp, the shared plugins socket dir, plugin.yaml and config mounts', () => {
    const mounts = Object.fromEntries((sidecar.volumeMounts ?? []).map((m) => [m.mountPath, m.name]));
    expect(mounts['/tmp']).toBe('syncgate-tmp');
    expect(built.volumes.find((v) => v.name === 'syncgate-tmp')?.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '512Mi' });
    // the repo-server's own tmp is never shared with the sidecar
    expect(Object.values(mounts)).not.toContain('tmp');
    expect(mounts['/home/argocd/cmp-server/plugins']).toBe('plugins');
    expect(mounts['/home/argocd/cmp-server/config/plugin.yaml']).toBe('syncgate-plugin');
    expect(mounts['/etc/syncgate/keys']).toBe('syncgate-age-keys');
    if (mode === 'stock') expect(mounts['/var/run/argocd']).toBe('var-files');
  });

  test('the generated plugin.yaml is the repository one, and the GateConfig is valid', () => {
    const plugin = built.configMaps.find((c) => c.metadata.name.startsWith('syncgate-plugin-'));
    expect(plugin?.data['plugin.yaml']).toBe(readFileSync(join(root, 'plugin.yaml'), 'utf8'));
    expect(socketName(parsePluginConfig(plugin?.data['plugin.yaml'] ?? '', 'plugin.yaml'))).toBe('syncgate-v1.sock');
    const gate = built.configMaps.find((c) => c.metadata.name.startsWith('syncgate-config-'));
    const config = parseConfig(parse(gate?.data['gateconfig.yaml'] ?? ''), 'gateconfig.yaml');
    const env = Object.fromEntries((sidecar.env ?? []).map((e) => [e.name, e.value]));
    expect(env['SYNCGATE_CONFIG']).toBe('/etc/syncgate/config/gateconfig.yaml');
    expect(env['SYNCGATE_WORKDIR']).toBe('/tmp');
    expect(config.spec.keys[0]?.ageIdentityFile.startsWith('/etc/syncgate/keys/')).toBe(true);
  });
});
