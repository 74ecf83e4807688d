import type { GateConfig } from '../../config/index.js';
import { asList, asMap, asString, show, type Obj } from '../fields.js';
import { podViewOf, type ContainerRef, type PodView } from '../podspec.js';
import type { Policy, PolicyReferences, Severity, Violation } from '../types.js';

// The Pod Security Standards as kubernetes/pod-security-admission policy/check_*.go enforces
// them (checked against the upstream tree of 2026-07-01): same fields, same allowed values, same
// version gates, same Windows and user-namespace relaxations. One finding per offending field.
//
// Severity follows the level: every baseline control is high, so under the default threshold a
// baseline violation refuses whatever else is enabled. Where PSA lets a restricted check replace
// a baseline one (OverrideCheckIDs), syncgate keeps the baseline check and the restricted check
// reports only what goes beyond it: a hostPath volume stays `pss-baseline/host-path-volumes`
// (high) with pss-restricted on, and only a missing `drop: [ALL]` is `pss-restricted/capabilities`
// (medium). The union is PSA's restricted verdict, except that a Windows pod is never exempt from
// a baseline control (PSA's restricted capabilities and seccomp checks exempt it, its baseline
// checks do not: test/fixtures/policy/pss-table/expected.json, row windows-sys-admin).

const versionCache = new WeakMap<GateConfig, number>();

/** The PSS policy minor version (`v1.30` → 30, `latest` → Infinity) chosen in the config. */
export function pssMinor(config: GateConfig): number {
  let v = versionCache.get(config);
  if (v === undefined) {
    const s = config.spec.policies.options.pss.version;
    v = s === 'latest' ? Number.POSITIVE_INFINITY : Number(s.slice(3));
    versionCache.set(config, v);
  }
  return v;
}

interface Control {
  pack: 'pss-baseline' | 'pss-restricted';
  name: string;
  /** PSA check id (policy/check_<id>.go). */
  psa: string;
  pss: string;
  severity: Severity;
  rule: string;
  remediation: string;
  refs?: Omit<PolicyReferences, 'pss'>;
  /** First policy version the check applies to. */
  since?: number;
  /** The baseline control this restricted one extends (PSA OverrideCheckIDs): its violations are left to it. */
  supersedes?: string;
  run(view: PodView, minor: number, out: Violation[]): void;
}

function truthy(m: Obj | undefined, k: string): boolean {
  return m?.[k] === true;
}

function q(s: string): string {
  return JSON.stringify(s);
}

function who(c: ContainerRef): string {
  const kind = c.list === 'containers' ? 'container' : c.list === 'initContainers' ? 'init container' : 'ephemeral container';
  return `${kind} ${q(c.name)}`;
}

/** The severity of every baseline control: at the default threshold (high) a baseline violation refuses. */
const BASELINE: Severity = 'high';
/** The severity of what the restricted level adds to the baseline. */
const RESTRICTED: Severity = 'medium';

const BASELINE_CAPS = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);
const SELINUX_TYPES_1_0 = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const SELINUX_TYPES_1_31 = new Set([...SELINUX_TYPES_1_0, 'container_engine_t']);
const SYSCTLS: readonly (readonly [number, readonly string[]])[] = [
  [0, ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start']],
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [29, ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']],
  [32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
  [37, ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat']],
];
const sysctlSets = new Map<number, ReadonlySet<string>>();
function allowedSysctls(minor: number): ReadonlySet<string> {
  let set = sysctlSets.get(minor);
  if (!set) {
    set = new Set(SYSCTLS.filter(([v]) => v <= minor).flatMap(([, names]) => names));
    sysctlSets.set(minor, set);
  }
  return set;
}
const ALLOWED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];
const RESTRICTED_VOLUMES = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'fc',
  'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'portworxVolume', 'photonPersistentDisk', 'scaleIO', 'storageos',
];
const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

function validSeccompType(t: unknown): boolean {
  return t === 'RuntimeDefault' || t === 'Localhost';
}
function validSeccompAnnotation(v: string): boolean {
  return v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
}

function seLinuxProblems(opts: Obj, allowed: ReadonlySet<string>): string[] {
  const p: string[] = [];
  const type = asString(opts['type']) ?? '';
  if (!allowed.has(type)) p.push(`type ${q(type)}`);
  if ((asString(opts['user']) ?? '') !== '') p.push('user');
  if ((asString(opts['role']) ?? '') !== '') p.push('role');
  return p;
}

function annotationPath(metaPath: string, key: string): string {
  return `${metaPath}.annotations[${q(key)}]`;
}

const CONTROLS: readonly Control[] = [
  {
    pack: 'pss-baseline', name: 'host-process', psa: 'windowsHostProcess', pss: 'HostProcess', severity: BASELINE,
    rule: 'Windows pods and containers must not set windowsOptions.hostProcess=true',
    remediation: 'remove securityContext.windowsOptions.hostProcess or set it to false',
    run(v, _m, out) {
      if (truthy(asMap(v.podSC?.['windowsOptions']), 'hostProcess')) {
        out.push({ path: `${v.specPath}.securityContext.windowsOptions.hostProcess`, message: 'pod must not set securityContext.windowsOptions.hostProcess=true' });
      }
      for (const c of v.containers) {
        if (truthy(asMap(c.sc?.['windowsOptions']), 'hostProcess')) {
          out.push({ path: `${c.path}.securityContext.windowsOptions.hostProcess`, message: `${who(c)} must not set securityContext.windowsOptions.hostProcess=true` });
        }
      }
    },
  },
  {
    pack: 'pss-baseline', name: 'host-namespaces', psa: 'hostNamespaces', pss: 'Host Namespaces', severity: BASELINE,
    refs: { kubescape: 'C-0038, C-0041', checkov: 'CKV_K8S_17, CKV_K8S_18, CKV_K8S_19' },
    rule: 'pods must not share the host network, PID or IPC namespace (hostNetwork, hostPID, hostIPC)',
    remediation: 'remove hostNetwork, hostPID and hostIPC or set them to false',
    run(v, _m, out) {
      for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) {
        if (v.spec[f] === true) out.push({ path: `${v.specPath}.${f}`, message: `pod must not set ${f}=true` });
      }
    },
  },
  {
    pack: 'pss-baseline', name: 'privileged', psa: 'privileged', pss: 'Privileged Containers', severity: BASELINE,
    refs: { kubescape: 'C-0057', checkov: 'CKV_K8S_16' },
    rule: 'containers must not run privileged (securityContext.privileged)',
    remediation: 'remove securityContext.privileged or set it to false',
    run(v, _m, out) {
      for (const c of v.containers) {
        if (truthy(c.sc, 'privileged')) out.push({ path: `${c.path}.securityContext.privileged`, message: `${who(c)} must not set securityContext.privileged=true` });
      }
    },
  },
  {
    pack: 'pss-baseline', name: 'capabilities', psa: 'capabilities_baseline', pss: 'Capabilities', severity: BASELINE,
    refs: { kubescape: 'C-0046', checkov: 'CKV_K8S_25' },
    rule: 'containers may add only the default capabilities (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT)',
    remediation: 'remove the capability from securityContext.capabilities.add',
    run(v, _m, out) {
      for (const c of v.containers) {
        const add = asList(asMap(c.sc?.['capabilities'])?.['add']);
        for (let i = 0; i < add.length; i++) {
          const cap = show(add[i]);
          if (!BASELINE_CAPS.has(cap)) out.push({ path: `${c.path}.securityContext.capabilities.add[${i}]`, message: `${who(c)} must not add capability ${q(cap)}` });
        }
      }
    },
  },
  {
    pack: 'pss-baseline', name: 'host-path-volumes', psa: 'hostPathVolumes', pss: 'HostPath Volumes', severity: BASELINE,
    refs: { kubescape: 'C-0048' },
    rule: 'pods must not use hostPath volumes',
    remediation: 'replace the hostPath volume with a configMap, secret, emptyDir or persistentVolumeClaim',
    run(v, _m, out) {
      const vols = asList(v.spec['volumes']);
      for (let i = 0; i < vols.length; i++) {
        const vol = asMap(vols[i]);
        if (vol && vol['hostPath'] != null) out.push({ path: `${v.specPath}.volumes[${i}].hostPath`, message: `volume ${q(asString(vol['name']) ?? '')} must not use hostPath` });
      }
    },
  },
  {
    pack: 'pss-baseline', name: 'host-ports', psa: 'hostPorts', pss: 'Host Ports', severity: BASELINE,
    refs: { kubescape: 'C-0044', checkov: 'CKV_K8S_26' },
    rule: 'containers must not bind host ports (ports[].hostPort unset or 0)',
    remediation: 'remove ports[].hostPort and expose the port through a Service',
    run(v, _m, out) {
      for (const c of v.containers) {
        const ports = asList(c.container['ports']);
        for (let i = 0; i < ports.length; i++) {
          const hp = asMap(ports[i])?.['hostPort'];
          if (hp != null && hp !== 0) out.push({ path: `${c.path}.ports[${i}].hostPort`, message: `${who(c)} must not set hostPort ${show(hp)}` });
        }
      }
    },
  },
  {
    pack: 'pss-baseline', name: 'apparmor', psa: 'appArmorProfile', pss: 'AppArmor', severity: BASELINE,
    rule: 'AppArmor must not be disabled: profile type RuntimeDefault or Localhost, annotation runtime/default or localhost/*',
    remediation: 'set appArmorProfile.type to RuntimeDefault (or Localhost) or remove it',
    run(v, _m, out) {
      const pod = asMap(v.podSC?.['appArmorProfile']);
      if (pod && !validSeccompType(pod['type'])) out.push({ path: `${v.specPath}.securityContext.appArmorProfile.type`, message: `pod must not set AppArmor profile type ${q(show(pod['type']))}` });
      for (const c of v.containers) {
        const p = asMap(c.sc?.['appArmorProfile']);
        if (p && !validSeccompType(p['type'])) out.push({ path: `${c.path}.securityContext.appArmorProfile.type`, message: `${who(c)} must not set AppArmor profile type ${q(show(p['type']))}` });
      }
      const ann = asMap(v.meta?.['annotations']);
      if (ann) {
        for (const k of Object.keys(ann).sort()) {
          const val = ann[k];
          if (!k.startsWith(APPARMOR_PREFIX) || typeof val !== 'string') continue;
          if (val !== '' && val !== 'runtime/default' && !val.startsWith('localhost/')) out.push({ path: annotationPath(v.metaPath, k), message: `annotation ${k}=${q(val)} must not disable AppArmor` });
        }
      }
    },
  },
  {
    pack: 'pss-baseline', name: 'selinux', psa: 'seLinuxOptions', pss: 'SELinux', severity: BASELINE,
    rule: 'seLinuxOptions.type may only be container_t, container_init_t, container_kvm_t or container_engine_t (v1.31+); user and role must be empty',
    remediation: 'remove seLinuxOptions.user/role and use an allowed SELinux type',
    run(v, m, out) {
      const allowed = m >= 31 ? SELINUX_TYPES_1_31 : SELINUX_TYPES_1_0;
      const pod = asMap(v.podSC?.['seLinuxOptions']);
      if (pod) {
        const p = seLinuxProblems(pod, allowed);
        if (p.length) out.push({ path: `${v.specPath}.securityContext.seLinuxOptions`, message: `pod must not set SELinux ${p.join(', ')}` });
      }
      for (const c of v.containers) {
        const o = asMap(c.sc?.['seLinuxOptions']);
        if (!o) continue;
        const p = seLinuxProblems(o, allowed);
        if (p.length) out.push({ path: `${c.path}.securityContext.seLinuxOptions`, message: `${who(c)} must not set SELinux ${p.join(', ')}` });
      }
    },
  },
  {
    pack: 'pss-baseline', name: 'proc-mount', psa: 'procMount', pss: '/proc Mount Type', severity: BASELINE,
    rule: 'securityContext.procMount must be unset or Default (any value in a user-namespace pod, v1.35+)',
    remediation: 'remove securityContext.procMount or set it to Default',
    run(v, m, out) {
      if (m >= 35 && v.userNamespace) return;
      procMount(v, out);
    },
  },
  {
    pack: 'pss-baseline', name: 'seccomp', psa: 'seccompProfile_baseline', pss: 'Seccomp', severity: BASELINE,
    rule: 'seccomp must not be Unconfined (seccompProfile.type RuntimeDefault or Localhost, or unset)',
    remediation: 'set seccompProfile.type to RuntimeDefault or remove it',
    run(v, m, out) {
      if (m < 19) {
        const ann = asMap(v.meta?.['annotations']);
        const podVal = asString(ann?.[SECCOMP_POD_ANNOTATION]);
        if (podVal !== undefined && !validSeccompAnnotation(podVal)) out.push({ path: annotationPath(v.metaPath, SECCOMP_POD_ANNOTATION), message: `forbidden annotation ${SECCOMP_POD_ANNOTATION}=${q(podVal)}` });
        for (const c of v.containers) {
          const key = SECCOMP_CONTAINER_PREFIX + c.name;
          const val = asString(ann?.[key]);
          if (val !== undefined && !validSeccompAnnotation(val)) out.push({ path: annotationPath(v.metaPath, key), message: `forbidden annotation ${key}=${q(val)}` });
        }
        return;
      }
      const pod = asMap(v.podSC?.['seccompProfile']);
      if (pod && !validSeccompType(pod['type'])) out.push({ path: `${v.specPath}.securityContext.seccompProfile.type`, message: `pod must not set securityContext.seccompProfile.type to ${q(show(pod['type']))}` });
      for (const c of v.containers) {
        const p = asMap(c.sc?.['seccompProfile']);
        if (p && !validSeccompType(p['type'])) out.push({ path: `${c.path}.securityContext.seccompProfile.type`, message: `${who(c)} must not set securityContext.seccompProfile.type to ${q(show(p['type']))}` });
      }
    },
  },
  {
    pack: 'pss-baseline', name: 'sysctls', psa: 'sysctls', pss: 'Sysctls', severity: BASELINE,
    rule: 'only the safe sysctls of the policy version may be set (spec.securityContext.sysctls)',
    remediation: 'remove the sysctl or set it on the node',
    run(v, m, out) {
      const list = asList(v.podSC?.['sysctls']);
      const allowed = allowedSysctls(m);
      for (let i = 0; i < list.length; i++) {
        const name = asString(asMap(list[i])?.['name']) ?? '';
        if (!allowed.has(name)) out.push({ path: `${v.specPath}.securityContext.sysctls[${i}].name`, message: `pod must not set sysctl ${q(name)}` });
      }
    },
  },
  {
    pack: 'pss-baseline', name: 'host-probes-lifecycle', psa: 'hostProbesAndHostLifecycle', pss: 'Probes and Lifecycle Hooks', severity: BASELINE, since: 34,
    rule: 'probes and lifecycle hooks must not target another host (httpGet.host, tcpSocket.host unset or empty)',
    remediation: 'remove httpGet.host / tcpSocket.host from probes and lifecycle hooks',
    run(v, _m, out) {
      for (const c of v.containers) {
        for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) hostHandler(c, asMap(c.container[probe]), probe, out);
        const lc = asMap(c.container['lifecycle']);
        if (lc) for (const h of ['postStart', 'preStop']) hostHandler(c, asMap(lc[h]), `lifecycle.${h}`, out);
      }
    },
  },
  // ---- restricted ----
  {
    pack: 'pss-restricted', name: 'volume-types', psa: 'restrictedVolumes', pss: 'Volume Types', severity: RESTRICTED, supersedes: 'host-path-volumes',
    rule: `pods may only use ${ALLOWED_VOLUMES.join(', ')} volumes`,
    remediation: 'replace the volume with one of the allowed types (e.g. a persistentVolumeClaim or csi)',
    run(v, _m, out) {
      const vols = asList(v.spec['volumes']);
      for (let i = 0; i < vols.length; i++) {
        const vol = asMap(vols[i]);
        if (!vol || ALLOWED_VOLUMES.some((t) => vol[t] != null)) continue;
        const type = RESTRICTED_VOLUMES.find((t) => vol[t] != null) ?? 'unknown';
        out.push({ path: `${v.specPath}.volumes[${i}]${type === 'unknown' ? '' : `.${type}`}`, message: `volume ${q(asString(vol['name']) ?? '')} uses restricted volume type ${q(type)}` });
      }
    },
  },
  {
    pack: 'pss-restricted', name: 'allow-privilege-escalation', psa: 'allowPrivilegeEscalation', pss: 'Privilege Escalation', severity: RESTRICTED, since: 8,
    refs: { kubescape: 'C-0016', checkov: 'CKV_K8S_20' },
    rule: 'containers must set securityContext.allowPrivilegeEscalation=false (Windows pods exempt, v1.25+)',
    remediation: 'set securityContext.allowPrivilegeEscalation: false on every container',
    run(v, m, out) {
      if (m >= 25 && v.windows) return;
      for (const c of v.containers) {
        if (c.sc?.['allowPrivilegeEscalation'] !== false) out.push({ path: `${c.path}.securityContext.allowPrivilegeEscalation`, message: `${who(c)} must set securityContext.allowPrivilegeEscalation=false` });
      }
    },
  },
  {
    pack: 'pss-restricted', name: 'run-as-non-root', psa: 'runAsNonRoot', pss: 'Running as Non-root', severity: RESTRICTED,
    refs: { kubescape: 'C-0013', checkov: 'CKV_K8S_23' },
    rule: 'runAsNonRoot must be true at pod level or on every container, and never false (user-namespace pods exempt, v1.35+)',
    remediation: 'set spec.securityContext.runAsNonRoot: true (and remove runAsNonRoot: false from containers)',
    run(v, m, out) {
      if (m >= 35 && v.userNamespace) return;
      const podVal = v.podSC?.['runAsNonRoot'];
      if (podVal === false) out.push({ path: `${v.specPath}.securityContext.runAsNonRoot`, message: 'pod must not set securityContext.runAsNonRoot=false' });
      const implicit: Violation[] = [];
      for (const c of v.containers) {
        const cv = c.sc?.['runAsNonRoot'];
        if (cv === false) out.push({ path: `${c.path}.securityContext.runAsNonRoot`, message: `${who(c)} must not set securityContext.runAsNonRoot=false` });
        else if (cv == null && podVal !== true) implicit.push({ path: `${c.path}.securityContext.runAsNonRoot`, message: `pod or ${who(c)} must set securityContext.runAsNonRoot=true` });
      }
      // As PSA: containers that merely inherit are reported only when nothing sets false explicitly.
      if (out.length === 0) out.push(...implicit);
    },
  },
  {
    pack: 'pss-restricted', name: 'run-as-user', psa: 'runAsUser', pss: 'Running as Non-root user', severity: RESTRICTED, since: 23,
    refs: { checkov: 'CKV_K8S_23' },
    rule: 'runAsUser must not be 0 at pod or container level (user-namespace pods exempt, v1.35+)',
    remediation: 'set runAsUser to a non-zero UID or remove it',
    run(v, m, out) {
      if (m >= 35 && v.userNamespace) return;
      if (v.podSC?.['runAsUser'] === 0) out.push({ path: `${v.specPath}.securityContext.runAsUser`, message: 'pod must not set runAsUser=0' });
      for (const c of v.containers) {
        if (c.sc?.['runAsUser'] === 0) out.push({ path: `${c.path}.securityContext.runAsUser`, message: `${who(c)} must not set runAsUser=0` });
      }
    },
  },
  {
    pack: 'pss-restricted', name: 'seccomp', psa: 'seccompProfile_restricted', pss: 'Seccomp', severity: RESTRICTED, since: 19, supersedes: 'seccomp',
    refs: { kubescape: 'C-0055', checkov: 'CKV_K8S_31' },
    rule: 'seccompProfile.type must be RuntimeDefault or Localhost, set at pod level or on every container (Windows pods exempt, v1.25+)',
    remediation: 'set spec.securityContext.seccompProfile.type: RuntimeDefault',
    run(v, m, out) {
      if (m >= 25 && v.windows) return;
      const pod = asMap(v.podSC?.['seccompProfile']);
      let podSet = false;
      if (pod) {
        if (validSeccompType(pod['type'])) podSet = true;
        else out.push({ path: `${v.specPath}.securityContext.seccompProfile.type`, message: `pod must not set securityContext.seccompProfile.type to ${q(show(pod['type']))}` });
      }
      const implicit: Violation[] = [];
      for (const c of v.containers) {
        const p = asMap(c.sc?.['seccompProfile']);
        if (p) {
          if (!validSeccompType(p['type'])) out.push({ path: `${c.path}.securityContext.seccompProfile.type`, message: `${who(c)} must not set securityContext.seccompProfile.type to ${q(show(p['type']))}` });
        } else if (!podSet) {
          implicit.push({ path: `${c.path}.securityContext.seccompProfile.type`, message: `pod or ${who(c)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` });
        }
      }
      if (out.length === 0) out.push(...implicit);
    },
  },
  {
    pack: 'pss-restricted', name: 'capabilities', psa: 'capabilities_restricted', pss: 'Capabilities', severity: RESTRICTED, since: 22, supersedes: 'capabilities',
    refs: { kubescape: 'C-0046', checkov: 'CKV_K8S_37' },
    rule: 'containers must drop ALL capabilities and may add only NET_BIND_SERVICE (Windows pods exempt, v1.25+)',
    remediation: 'set securityContext.capabilities.drop: ["ALL"] and add only NET_BIND_SERVICE',
    run(v, m, out) {
      if (m >= 25 && v.windows) return;
      for (const c of v.containers) {
        const caps = asMap(c.sc?.['capabilities']);
        if (!asList(caps?.['drop']).includes('ALL')) out.push({ path: `${c.path}.securityContext.capabilities.drop`, message: `${who(c)} must set securityContext.capabilities.drop=["ALL"]` });
        const add = asList(caps?.['add']);
        for (let i = 0; i < add.length; i++) {
          if (add[i] !== 'NET_BIND_SERVICE') out.push({ path: `${c.path}.securityContext.capabilities.add[${i}]`, message: `${who(c)} must not add capability ${q(show(add[i]))}` });
        }
      }
    },
  },
  {
    pack: 'pss-restricted', name: 'proc-mount', psa: 'procMount_restricted', pss: '/proc Mount Type', severity: RESTRICTED, since: 35, supersedes: 'proc-mount',
    rule: 'securityContext.procMount must be unset or Default, user-namespace pods included',
    remediation: 'remove securityContext.procMount or set it to Default',
    run(v, _m, out) {
      procMount(v, out);
    },
  },
];

function procMount(v: PodView, out: Violation[]): void {
  for (const c of v.containers) {
    const pm = c.sc?.['procMount'];
    if (pm != null && pm !== 'Default') out.push({ path: `${c.path}.securityContext.procMount`, message: `${who(c)} must not set securityContext.procMount to ${q(show(pm))}` });
  }
}

function hostHandler(c: ContainerRef, h: Obj | undefined, where: string, out: Violation[]): void {
  if (!h) return;
  for (const t of ['httpGet', 'tcpSocket']) {
    const host = asString(asMap(h[t])?.['host']);
    if (host) out.push({ path: `${c.path}.${where}.${t}.host`, message: `${who(c)} ${where} must not set ${t}.host ${q(host)}` });
  }
}

function toPolicy(ctl: Control): Policy {
  const since = ctl.since ?? 0;
  const base = ctl.supersedes === undefined ? undefined : CONTROLS.find((c) => c.pack === 'pss-baseline' && c.name === ctl.supersedes);
  return {
    id: `${ctl.pack}/${ctl.name}`,
    pack: ctl.pack,
    name: ctl.name,
    severity: ctl.severity,
    rule: ctl.rule + (base ? ` (what pss-baseline/${base.name} forbids is reported there, at its severity)` : ''),
    remediation: ctl.remediation,
    references: { pss: `${ctl.pss} (PSA check ${ctl.psa}${since > 0 ? `, from v1.${since}` : ''})`, ...ctl.refs },
    scope: 'object',
    check(resource, ctx) {
      const view = podViewOf(resource.object);
      if (!view) return [];
      const minor = pssMinor(ctx.config);
      if (minor < since) return [];
      const out: Violation[] = [];
      ctl.run(view, minor, out);
      if (!base || out.length === 0 || minor < (base.since ?? 0)) return out;
      // The baseline control reports its own violations at the baseline severity.
      const baseOut: Violation[] = [];
      base.run(view, minor, baseOut);
      if (baseOut.length === 0) return out;
      const taken = new Set(baseOut.map((v) => v.path));
      return out.filter((v) => !taken.has(v.path));
    },
  };
}

/** The pss-baseline and pss-restricted policies. */
export const pssPolicies: readonly Policy[] = CONTROLS.map(toPolicy);
