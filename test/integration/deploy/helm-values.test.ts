// deploy/argocd/helm/values.yaml on a chart shaped like argo/argo-cd (real helm): the sidecar
// lands next to argocd-repo-server with every volume it mounts, the plugin config the chart
// writes into argocd-cmp-cm is the repository's plugin.yaml, and the GateConfig is valid.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parsePluginConfig, socketName } from '../../../src/cmp/plugin-config.js';
import { parseConfig } from '../../../src/config/index.js';
import { helmValuesInstall, podSpecs, root } from './installs.js';

const docs = helmValuesInstall();
const [pod] = podSpecs(docs);
const spec = pod?.spec;
const sidecar = spec.containers.find((c: { name: string }) => c.name === 'syncgate');
const byName = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);

describe('Helm values for the argo/argo-cd chart', () => {
  test('the sidecar runs next to an untouched repo-server', () => {
    expect(spec.containers.map((c: { name: string }) => c.name)).toEqual(['repo-server', 'syncgate']);
    expect(sidecar.args).toEqual(['syncgate', 'serve']);
    expect(sidecar.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  test('every sidecar mount has a volume; own memory /tmp, shared plugins dir, keys readable mode', () => {
    const volumes = new Map<string, any>(spec.volumes.map((v: { name: string }) => [v.name, v]));
    for (const m of sidecar.volumeMounts) expect(volumes.has(m.name)).toBe(true);
    const mounts = Object.fromEntries(sidecar.volumeMounts.map((m: { mountPath: string; name: string }) => [m.mountPath, m.name]));
    expect(mounts['/tmp']).toBe('syncgate-tmp');
    expect(volumes.get('syncgate-tmp').emptyDir).toEqual({ medium: 'Memory', sizeLimit: '512Mi' });
    expect(mounts['/home/argocd/cmp-server/plugins']).toBe('plugins');
    expect(volumes.get('syncgate-age-keys').secret).toEqual({ secretName: 'syncgate-age-keys', optional: true, defaultMode: 0o444 });
    // the repo-server's tmp stays its own
    expect(Object.values(mounts)).not.toContain('tmp');
  });

  test('plugin.yaml comes from argocd-cmp-cm (configs.cmp) and equals the repository one', () => {
    const mount = sidecar.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/home/argocd/cmp-server/config/plugin.yaml');
    const volume = spec.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(volume.configMap.name).toBe('argocd-cmp-cm');
    const text = byName('ConfigMap', 'argocd-cmp-cm')?.['data'][mount.subPath] as string;
    const fromChart = parsePluginConfig(text, 'plugin.yaml');
    const repo = parsePluginConfig(readFileSync(join(root, 'plugin.yaml'), 'utf8'), 'plugin.yaml');
    expect(fromChart).toEqual(repo);
    expect(socketName(fromChart)).toBe('syncgate-v1.sock');
  });

  test('the GateConfig ConfigMap parses and matches the kustomize component one', () => {
    const data = byName('ConfigMap', 'syncgate-config')?.['data']['gateconfig.yaml'] as string;
    const env = Object.fromEntries(sidecar.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env['SYNCGATE_CONFIG']).toBe('/etc/syncgate/config/gateconfig.yaml');
    const cfg = parseConfig(parse(data), 'gateconfig.yaml');
    const kustomizeCfg = parseConfig(parse(readFileSync(join(root, 'deploy', 'argocd', 'sidecar', 'gateconfig.yaml'), 'utf8')), 'gateconfig.yaml');
    expect(cfg).toEqual(kustomizeCfg);
  });

  test('/metrics: a NetworkPolicy for 8090 and a Service on the repo-server pods', () => {
    const labels = docs.find((d) => d.kind === 'Deployment')?.['spec'].template.metadata.labels;
    const np = byName('NetworkPolicy', 'syncgate-metrics');
    expect(labels).toMatchObject(np?.['spec'].podSelector.matchLabels);
    expect(np?.['spec'].ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8090 }]);
    const svc = byName('Service', 'syncgate-metrics');
    expect(labels).toMatchObject(svc?.['spec'].selector);
    expect(sidecar.ports.map((p: { name: string }) => p.name)).toContain(svc?.['spec'].ports[0].targetPort);
  });
});
