// Table test of every Pod Security Standards control: a passing and a failing pod for each field,
// in every container list, in every workload kind that carries a pod template, at both levels.
import { KINDS, config, hits, scanObjects, workload } from './harness.js';

type Level = 'baseline' | 'restricted';
type Json = Record<string, unknown>;

/** A container-level field case: securityContext (or container) patches and the policy per level. */
interface ContainerCase {
  name: string;
  pass: Json;
  fail: Json;
  /** Path below the container, e.g. `securityContext.privileged`. */
  path: string;
  /** Policy expected per level (absent: the level does not check the field). */
  policy: Partial<Record<Level, string>>;
}

const sc = (s: Json): Json => ({ securityContext: s });
const B = (id: string): Partial<Record<Level, string>> => ({ baseline: `pss-baseline/${id}`, restricted: `pss-baseline/${id}` });
const R = (id: string): Partial<Record<Level, string>> => ({ restricted: `pss-restricted/${id}` });

const CONTAINER_CASES: ContainerCase[] = [
  { name: 'privileged', pass: sc({ privileged: false }), fail: sc({ privileged: true }), path: 'securityContext.privileged', policy: B('privileged') },
  { name: 'capabilities.add', pass: sc({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }), fail: sc({ capabilities: { drop: ['ALL'], add: ['NET_RAW'] } }), path: 'securityContext.capabilities.add[0]', policy: B('capabilities') },
  { name: 'capabilities.add SYS_ADMIN', pass: sc({ capabilities: { drop: ['ALL'] } }), fail: sc({ capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } }), path: 'securityContext.capabilities.add[0]', policy: B('capabilities') },
  { name: 'ports.hostPort', pass: { ports: [{ containerPort: 80, hostPort: 0 }] }, fail: { ports: [{ containerPort: 80, hostPort: 8080 }] }, path: 'ports[0].hostPort', policy: B('host-ports') },
  { name: 'appArmorProfile.type', pass: sc({ appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } }), fail: sc({ appArmorProfile: { type: 'Unconfined' } }), path: 'securityContext.appArmorProfile.type', policy: B('apparmor') },
  { name: 'seLinuxOptions.type', pass: sc({ seLinuxOptions: { type: 'container_init_t' } }), fail: sc({ seLinuxOptions: { type: 'spc_t' } }), path: 'securityContext.seLinuxOptions', policy: B('selinux') },
  { name: 'seLinuxOptions.user', pass: sc({ seLinuxOptions: { level: 's0:c1' } }), fail: sc({ seLinuxOptions: { user: 'system_u' } }), path: 'securityContext.seLinuxOptions', policy: B('selinux') },
  { name: 'seLinuxOptions.role', pass: sc({ seLinuxOptions: { type: 'container_engine_t' } }), fail: sc({ seLinuxOptions: { role: 'sysadm_r' } }), path: 'securityContext.seLinuxOptions', policy: B('selinux') },
  { name: 'procMount', pass: sc({ procMount: 'Default' }), fail: sc({ procMount: 'Unmasked' }), path: 'securityContext.procMount', policy: B('proc-mount') },
  { name: 'seccompProfile.type', pass: sc({ seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }), fail: sc({ seccompProfile: { type: 'Unconfined' } }), path: 'securityContext.seccompProfile.type', policy: B('seccomp') },
  { name: 'windowsOptions.hostProcess', pass: sc({ windowsOptions: { hostProcess: false } }), fail: sc({ windowsOptions: { hostProcess: true } }), path: 'securityContext.windowsOptions.hostProcess', policy: B('host-process') },
  { name: 'livenessProbe.httpGet.host', pass: { livenessProbe: { httpGet: { port: 80, host: '' } } }, fail: { livenessProbe: { httpGet: { port: 80, host: '10.0.0.1' } } }, path: 'livenessProbe.httpGet.host', policy: B('host-probes-lifecycle') },
  { name: 'readinessProbe.tcpSocket.host', pass: { readinessProbe: { tcpSocket: { port: 80 } } }, fail: { readinessProbe: { tcpSocket: { port: 80, host: 'metadata' } } }, path: 'readinessProbe.tcpSocket.host', policy: B('host-probes-lifecycle') },
  { name: 'startupProbe.httpGet.host', pass: { startupProbe: { httpGet: { port: 80 } } }, fail: { startupProbe: { httpGet: { port: 80, host: 'x' } } }, path: 'startupProbe.httpGet.host', policy: B('host-probes-lifecycle') },
  { name: 'lifecycle.preStop.httpGet.host', pass: { lifecycle: { preStop: { httpGet: { port: 80 } } } }, fail: { lifecycle: { preStop: { httpGet: { port: 80, host: '169.254.169.254' } } } }, path: 'lifecycle.preStop.httpGet.host', policy: B('host-probes-lifecycle') },
  { name: 'lifecycle.postStart.tcpSocket.host', pass: { lifecycle: { postStart: { tcpSocket: { port: 80 } } } }, fail: { lifecycle: { postStart: { tcpSocket: { port: 80, host: 'db' } } } }, path: 'lifecycle.postStart.tcpSocket.host', policy: B('host-probes-lifecycle') },
  { name: 'allowPrivilegeEscalation', pass: sc({ allowPrivilegeEscalation: false }), fail: sc({ allowPrivilegeEscalation: true }), path: 'securityContext.allowPrivilegeEscalation', policy: R('allow-privilege-escalation') },
  { name: 'allowPrivilegeEscalation unset', pass: sc({ allowPrivilegeEscalation: false }), fail: sc({ allowPrivilegeEscalation: null }), path: 'securityContext.allowPrivilegeEscalation', policy: R('allow-privilege-escalation') },
  { name: 'runAsNonRoot', pass: sc({ runAsNonRoot: true }), fail: sc({ runAsNonRoot: false }), path: 'securityContext.runAsNonRoot', policy: R('run-as-non-root') },
  { name: 'runAsUser', pass: sc({ runAsUser: 1000 }), fail: sc({ runAsUser: 0 }), path: 'securityContext.runAsUser', policy: R('run-as-user') },
  { name: 'capabilities.drop', pass: sc({ capabilities: { drop: ['ALL'] } }), fail: sc({ capabilities: { drop: ['NET_RAW'] } }), path: 'securityContext.capabilities.drop', policy: R('capabilities') },
];

interface PodCase {
  name: string;
  pass: (spec: Json, meta: Json) => void;
  fail: (spec: Json, meta: Json) => void;
  /** Path below the pod spec (`spec:`) or pod metadata (`meta:`). */
  path: string;
  policy: Partial<Record<Level, string>>;
}

const podSC = (spec: Json): Json => spec['securityContext'] as Json;
const POD_CASES: PodCase[] = [
  ...['hostNetwork', 'hostPID', 'hostIPC'].map((f): PodCase => ({ name: f, pass: (s) => void (s[f] = false), fail: (s) => void (s[f] = true), path: `spec:${f}`, policy: B('host-namespaces') })),
  { name: 'volumes.hostPath', pass: (s) => void (s['volumes'] = [{ name: 'v', emptyDir: {} }]), fail: (s) => void (s['volumes'] = [{ name: 'v', hostPath: { path: '/etc' } }]), path: 'spec:volumes[0].hostPath', policy: B('host-path-volumes') },
  { name: 'volumes.nfs', pass: (s) => void (s['volumes'] = [{ name: 'v', persistentVolumeClaim: { claimName: 'c' } }]), fail: (s) => void (s['volumes'] = [{ name: 'v', nfs: { server: 'n', path: '/' } }]), path: 'spec:volumes[0].nfs', policy: R('volume-types') },
  { name: 'volumes.gitRepo', pass: (s) => void (s['volumes'] = [{ name: 'v', image: { reference: 'r/x:1' } }]), fail: (s) => void (s['volumes'] = [{ name: 'v', gitRepo: { repository: 'x' } }]), path: 'spec:volumes[0].gitRepo', policy: R('volume-types') },
  { name: 'sysctls', pass: (s) => void (podSC(s)['sysctls'] = [{ name: 'net.ipv4.tcp_notsent_lowat', value: '1' }]), fail: (s) => void (podSC(s)['sysctls'] = [{ name: 'kernel.msgmax', value: '1' }]), path: 'spec:securityContext.sysctls[0].name', policy: B('sysctls') },
  { name: 'pod appArmorProfile', pass: (s) => void (podSC(s)['appArmorProfile'] = { type: 'RuntimeDefault' }), fail: (s) => void (podSC(s)['appArmorProfile'] = { type: 'Unconfined' }), path: 'spec:securityContext.appArmorProfile.type', policy: B('apparmor') },
  { name: 'apparmor annotation', pass: (_s, m) => void (m['annotations'] = { 'container.apparmor.security.beta.kubernetes.io/c': 'localhost/prof' }), fail: (_s, m) => void (m['annotations'] = { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' }), path: 'meta:annotations["container.apparmor.security.beta.kubernetes.io/c"]', policy: B('apparmor') },
  { name: 'pod seLinuxOptions', pass: (s) => void (podSC(s)['seLinuxOptions'] = { type: 'container_t' }), fail: (s) => void (podSC(s)['seLinuxOptions'] = { type: 'unconfined_t' }), path: 'spec:securityContext.seLinuxOptions', policy: B('selinux') },
  { name: 'pod seccompProfile', pass: (s) => void (podSC(s)['seccompProfile'] = { type: 'RuntimeDefault' }), fail: (s) => void (podSC(s)['seccompProfile'] = { type: 'Unconfined' }), path: 'spec:securityContext.seccompProfile.type', policy: B('seccomp') },
  { name: 'pod windowsOptions.hostProcess', pass: (s) => void (podSC(s)['windowsOptions'] = { hostProcess: false }), fail: (s) => void (podSC(s)['windowsOptions'] = { hostProcess: true }), path: 'spec:securityContext.windowsOptions.hostProcess', policy: B('host-process') },
  { name: 'pod runAsNonRoot', pass: (s) => void (podSC(s)['runAsNonRoot'] = true), fail: (s) => void (podSC(s)['runAsNonRoot'] = false), path: 'spec:securityContext.runAsNonRoot', policy: R('run-as-non-root') },
  { name: 'pod runAsUser', pass: (s) => void (podSC(s)['runAsUser'] = 10001), fail: (s) => void (podSC(s)['runAsUser'] = 0), path: 'spec:securityContext.runAsUser', policy: R('run-as-user') },
];

const LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

function baseContainer(extra: Json = {}): Json {
  const { securityContext, ...rest } = extra as { securityContext?: Json };
  return {
    name: 'c',
    image: 'registry.example.com/app:1.0',
    ...rest,
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, ...securityContext },
  };
}

function basePod(list: (typeof LISTS)[number], container: Json): { spec: Json; meta: Json } {
  const spec: Json = { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [] };
  spec[list] = [container];
  return { spec, meta: { labels: { app: 'w' } } };
}

const cfgs = { baseline: config({ packs: ['pss-baseline'] }), restricted: config({ packs: ['pss-restricted'] }) };
const LEVELS: Level[] = ['baseline', 'restricted'];

const containerTable = CONTAINER_CASES.flatMap((c) => KINDS.flatMap((kind) => LISTS.flatMap((list) => LEVELS.map((level) => [c.name, list, kind, level, c] as const))));
const podTable = POD_CASES.flatMap((c) => KINDS.flatMap((kind) => LEVELS.map((level) => [c.name, kind, level, c] as const)));

describe('PSS container fields', () => {
  test.each(containerTable)('%s in %s of a %s at %s', (_n, list, kind, level, c) => {
    const pass = basePod(list, baseContainer(c.pass));
    const wp = workload(kind, pass.meta, pass.spec);
    expect(hits(scanObjects([wp.obj], cfgs[level]), 'pss-')).toEqual([]);

    const fail = basePod(list, baseContainer(c.fail));
    const wf = workload(kind, fail.meta, fail.spec);
    const got = hits(scanObjects([wf.obj], cfgs[level]), 'pss-');
    const expected = c.policy[level];
    if (expected) expect(got).toEqual([`${expected} ${wf.spec}.${list}[0].${c.path}`]);
    else expect(got).toEqual([]);
  });
});

describe('PSS pod fields', () => {
  test.each(podTable)('%s of a %s at %s', (_n, kind, level, c) => {
    for (const [mutate, shouldFail] of [[c.pass, false], [c.fail, true]] as const) {
      const p = basePod('containers', baseContainer());
      mutate(p.spec, p.meta);
      const w = workload(kind, p.meta, p.spec);
      const got = hits(scanObjects([w.obj], cfgs[level]), 'pss-');
      const expected = c.policy[level];
      const [where, rest] = c.path.split(':') as [string, string];
      if (shouldFail && expected) expect(got).toEqual([`${expected} ${where === 'spec' ? w.spec : w.meta}.${rest}`]);
      else expect(got).toEqual([]);
    }
  });
});

describe('PSS implicit requirements (restricted)', () => {
  test.each(LISTS)('runAsNonRoot and seccomp unset at pod and on a container in %s fail', (list) => {
    const p = basePod(list, baseContainer());
    p.spec['securityContext'] = {};
    const w = workload('Deployment', p.meta, p.spec);
    expect(hits(scanObjects([w.obj], cfgs.restricted), 'pss-')).toEqual([
      `pss-restricted/run-as-non-root ${w.spec}.${list}[0].securityContext.runAsNonRoot`,
      `pss-restricted/seccomp ${w.spec}.${list}[0].securityContext.seccompProfile.type`,
    ]);
    expect(hits(scanObjects([w.obj], cfgs.baseline), 'pss-')).toEqual([]);
  });

  test('container-level settings satisfy runAsNonRoot and seccomp without pod level', () => {
    const p = basePod('containers', baseContainer(sc({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } })));
    p.spec['securityContext'] = {};
    expect(hits(scanObjects([workload('Pod', p.meta, p.spec).obj], cfgs.restricted), 'pss-')).toEqual([]);
  });
});

describe('PSS versions and exemptions', () => {
  const at = (version: string, packs = ['pss-restricted']) => config({ packs, options: { pss: { version } } });
  const pod = (spec: Json, container: Json = baseContainer(), meta: Json = {}) => {
    const p = basePod('containers', container);
    Object.assign(p.spec, spec);
    Object.assign(p.meta, meta);
    return workload('Pod', p.meta, p.spec).obj;
  };
  const ids = (r: ReturnType<typeof scanObjects>) => r.findings.map((f) => f.policy);

  test.each([
    ['v1.28', 'net.ipv4.tcp_keepalive_time', ['pss-baseline/sysctls']],
    ['v1.29', 'net.ipv4.tcp_keepalive_time', []],
    ['v1.31', 'net.ipv4.tcp_rmem', ['pss-baseline/sysctls']],
    ['v1.32', 'net.ipv4.tcp_rmem', []],
    ['v1.36', 'net.ipv4.tcp_slow_start_after_idle', ['pss-baseline/sysctls']],
    ['v1.37', 'net.ipv4.tcp_slow_start_after_idle', []],
    ['v1.26', 'net.ipv4.ip_local_reserved_ports', ['pss-baseline/sysctls']],
    ['v1.27', 'net.ipv4.ip_local_reserved_ports', []],
  ])('sysctl allow-list at %s: %s', (version, name, expected) => {
    const p = pod({ securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, sysctls: [{ name, value: '1' }] } });
    expect(ids(scanObjects([p], at(version)))).toEqual(expected);
  });

  test.each([['v1.30', ['pss-baseline/selinux']], ['v1.31', []]])('container_engine_t at %s', (version, expected) => {
    expect(ids(scanObjects([pod({}, baseContainer(sc({ seLinuxOptions: { type: 'container_engine_t' } })))], at(version)))).toEqual(expected);
  });

  test.each([['v1.33', []], ['v1.34', ['pss-baseline/host-probes-lifecycle']]])('probe host checked from v1.34: %s', (version, expected) => {
    expect(ids(scanObjects([pod({}, baseContainer({ livenessProbe: { httpGet: { port: 1, host: 'h' } } }))], at(version)))).toEqual(expected);
  });

  test.each([
    ['v1.24', ['pss-restricted/allow-privilege-escalation', 'pss-restricted/capabilities', 'pss-restricted/seccomp']],
    ['v1.25', []],
    ['latest', []],
  ])('Windows pods at %s', (version, expected) => {
    const c = { name: 'c', image: 'r.example/x:1' };
    expect(ids(scanObjects([pod({ os: { name: 'windows' }, securityContext: { runAsNonRoot: true } }, c)], at(version)))).toEqual(expected);
  });

  test.each([
    ['v1.34', ['pss-baseline/proc-mount', 'pss-restricted/run-as-non-root', 'pss-restricted/run-as-user'], ['pss-baseline/proc-mount']],
    ['v1.35', ['pss-restricted/proc-mount'], []],
  ])('user-namespace pods (hostUsers: false) at %s', (version, restricted, baseline) => {
    const p = pod({ hostUsers: false, securityContext: { runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } } }, baseContainer(sc({ procMount: 'Unmasked' })));
    expect(ids(scanObjects([p], at(version)))).toEqual(restricted);
    expect(ids(scanObjects([p], at(version, ['pss-baseline'])))).toEqual(baseline);
  });

  test('before v1.19 seccomp is judged on the alpha annotations, at both levels', () => {
    const p = pod({ securityContext: { runAsNonRoot: true } }, baseContainer(), {
      annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined', 'container.seccomp.security.alpha.kubernetes.io/c': 'runtime/default' },
    });
    expect(hits(scanObjects([p], at('v1.18')))).toEqual(['pss-baseline/seccomp metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]']);
    expect(hits(scanObjects([p], at('v1.18', ['pss-baseline'])))).toEqual(['pss-baseline/seccomp metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]']);
  });

  test('from v1.22 the restricted capabilities check adds only what goes beyond the baseline one', () => {
    const p = pod({}, baseContainer(sc({ capabilities: { add: ['NET_ADMIN'] } })));
    expect(ids(scanObjects([p], at('v1.21')))).toEqual(['pss-baseline/capabilities']);
    // NET_ADMIN stays a baseline finding (high); the missing drop ALL is restricted's (medium).
    expect(ids(scanObjects([p], at('v1.22')))).toEqual(['pss-baseline/capabilities', 'pss-restricted/capabilities']);
  });

  test('runAsUser is checked from v1.23', () => {
    const p = pod({ securityContext: { runAsNonRoot: true, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } } });
    expect(ids(scanObjects([p], at('v1.22')))).toEqual([]);
    expect(ids(scanObjects([p], at('v1.23')))).toEqual(['pss-restricted/run-as-user']);
  });

  test('objects of other kinds and groups are not pods', () => {
    const p = basePod('containers', baseContainer(sc({ privileged: true })));
    const fake = { apiVersion: 'example.com/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { template: { metadata: {}, spec: p.spec } } };
    expect(scanObjects([fake], cfgs.baseline).findings).toEqual([]);
  });
});
