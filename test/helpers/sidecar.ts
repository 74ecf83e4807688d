// Starts the built `syncgate serve` (dist/cli/main.js) on a temp plugins dir and plays
// argocd-repo-server against it: the Go-style tarball, 1 KiB chunks, the sha256 checksum, the
// env list (ARGOCD_APP_PARAMETERS and PARAM_* built as the repo-server builds them).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { alive } from './proc.js';
import { tgzFromDir } from './tgz.js';

/** The repository root (test/helpers is two levels down). */
export const repoRoot = resolve(import.meta.dirname ?? join(process.cwd(), 'test', 'helpers'), '..', '..');
/** The built CLI the e2e tests run. */
export const cliPath = join(repoRoot, 'dist', 'cli', 'main.js');
const protoDir = join(repoRoot, 'src', 'cmp', 'proto');

/** A running sidecar. */
export interface Sidecar {
  /** Absolute socket path (`<pluginsDir>/<name>[-<version>].sock`). */
  socket: string;
  httpPort: number;
  pluginsDir: string;
  /** SYNCGATE_WORKDIR of the sidecar: every request's temp dirs live (briefly) here. */
  workDir: string;
  pid: number;
  /** Everything the sidecar wrote on stdout and stderr so far. */
  logs(): string;
  /** Entries left in workDir (should be none between requests). */
  leftovers(): string[];
  /**
   * Live descendant processes of the sidecar (should be none between requests), except the idle
   * launcher it keeps ready for the next tool (src/exec/launcher.ts): see `launchers()`.
   */
  children(): number[];
  /** The sidecar's idle launchers (at most one between requests). */
  launchers(): number[];
  /**
   * Waits (up to `ms`) until no work dir and no child is left: the sidecar removes a request's
   * dir right after the reply, as Argo CD's cmp-server does, so a test looks once it settles.
   */
  settled(ms?: number): Promise<void>;
  /** Sends a signal and resolves with the exit code once the process is gone (temp dirs stay). */
  signal(sig: NodeJS.Signals): Promise<number | null>;
  /** SIGTERM, wait for exit, remove the temp dirs. */
  stop(): Promise<void>;
}

/** What a test may vary. */
export interface SidecarOptions {
  /** GateConfig YAML text. */
  config?: string;
  /** plugin.yaml text (default: the repo's plugin.yaml). */
  pluginYaml?: string;
  env?: Record<string, string>;
  /** limits.concurrency (written into a generated config when `config` is not given). */
  concurrency?: number;
  /** Called with the plugins dir before the sidecar starts (e.g. to leave a stale socket there). */
  beforeStart?: (pluginsDir: string) => void | Promise<void>;
}

// Used only until the repo's plugin.yaml exists: the same commands it declares.
const FALLBACK_PLUGIN_YAML = `apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata:
  name: syncgate
spec:
  version: v1
  generate:
    command: [syncgate, generate]
  discover:
    find:
      command: [syncgate, discover]
  parameters:
    dynamic:
      command: [syncgate, parameters]
`;

/** PIDs of every live descendant of `pid`, read from /proc. */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      parent.set(Number(d), Number(fields[1]));
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [c, pp] of parent) {
      if (pp === p) {
        out.push(c);
        walk(c);
      }
    }
  };
  walk(pid);
  return out;
}

/** True when `pid` is an idle launcher (src/exec/launcher/launcher.c), not yet turned into a tool. */
export function isLauncher(pid: number): boolean {
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`)) === 'syncgate-launcher';
  } catch {
    return false;
  }
}

export { alive };

/** Starts `node dist/cli/main.js serve` and resolves once the socket and HTTP port are up. */
export async function startSidecar(opts: SidecarOptions = {}): Promise<Sidecar> {
  const base = mkdtempSync(join(tmpdir(), 'syncgate-e2e-'));
  const pluginsDir = join(base, 'plugins');
  const workDir = join(base, 'work');
  mkdirSync(pluginsDir);
  mkdirSync(workDir);
  await opts.beforeStart?.(pluginsDir);
  const pluginConfig = join(base, 'plugin.yaml');
  const repoPlugin = join(repoRoot, 'plugin.yaml');
  writeFileSync(pluginConfig, opts.pluginYaml ?? (existsSync(repoPlugin) ? readFileSync(repoPlugin, 'utf8') : FALLBACK_PLUGIN_YAML));
  const args = [cliPath, 'serve', '--plugins-dir', pluginsDir, '--plugin-config', pluginConfig, '--http-port', '0', '--http-host', '127.0.0.1', '--log-level', 'info'];
  const configText =
    opts.config ??
    (opts.concurrency !== undefined
      ? `apiVersion: syncgate.dev/v1alpha1\nkind: GateConfig\nspec:\n  limits:\n    concurrency: ${opts.concurrency}\n`
      : undefined);
  if (configText !== undefined) {
    const configPath = join(base, 'gate.yaml');
    writeFileSync(configPath, configText);
    args.push('--config', configPath);
  }
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: base,
    env: {
      PATH: `${join(repoRoot, '.tools', 'bin')}:${process.env['PATH'] ?? ''}`,
      HOME: base,
      SYNCGATE_WORKDIR: workDir,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));

  const ready = await new Promise<{ socket: string; httpPort: number }>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`sidecar did not start in 15s:\n${output}`)), 15_000);
    const check = (): void => {
      for (const line of output.split('\n')) {
        if (!line.includes('"http listening"')) continue;
        const rec = JSON.parse(line) as { httpPort: number; socket: string };
        clearTimeout(timer);
        ok({ socket: rec.socket, httpPort: rec.httpPort });
        return;
      }
    };
    child.stderr?.on('data', check);
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`sidecar exited with ${String(code)} before listening:\n${output}`));
    });
  });

  return {
    ...ready,
    pluginsDir,
    workDir,
    pid: child.pid ?? -1,
    logs: () => output,
    leftovers: () => (existsSync(workDir) ? readdirSync(workDir) : []),
    children: () => (child.pid === undefined ? [] : descendants(child.pid).filter((p) => !isLauncher(p))),
    launchers: () => (child.pid === undefined ? [] : descendants(child.pid).filter(isLauncher)),
    async settled(ms = 5000) {
      const end = Date.now() + ms;
      const busy = (): boolean =>
        (existsSync(workDir) && readdirSync(workDir).length > 0) || (child.pid !== undefined && descendants(child.pid).some((p) => !isLauncher(p)));
      while (busy() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    },
    async signal(sig) {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      return exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The repo-server side of the protocol.

/** One Argo CD plugin parameter (`spec.source.plugin.parameters[]`). */
export interface ArgoParameter {
  name: string;
  string?: string;
  array?: string[];
  map?: Record<string, string>;
}

/** `ARGOCD_APP_PARAMETERS` and the `PARAM_*` variables, built as the repo-server's getPluginParamEnvs does. */
export function parameterEnv(params: readonly ArgoParameter[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  // Go marshals a nil slice as null; keys of each object come out sorted.
  env['ARGOCD_APP_PARAMETERS'] =
    params === undefined || params.length === 0
      ? 'null'
      : JSON.stringify(
          params.map((p) => {
            const o: Record<string, unknown> = {};
            if (p.array !== undefined) o['array'] = p.array;
            if (p.map !== undefined) o['map'] = Object.fromEntries(Object.entries(p.map).sort(([a], [b]) => (a < b ? -1 : 1)));
            o['name'] = p.name;
            if (p.string !== undefined) o['string'] = p.string;
            return o;
          }),
        );
  const esc = (s: string): string => s.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  for (const p of params ?? []) {
    if (p.string !== undefined) env[`PARAM_${esc(p.name)}`] = p.string;
    for (const [k, v] of Object.entries(p.map ?? {})) env[`PARAM_${esc(p.name)}_${esc(k)}`] = v;
    (p.array ?? []).forEach((v, i) => (env[`PARAM_${esc(p.name)}_${i}`] = v));
  }
  return env;
}

/** The 9 base variables the repo-server always sends (newEnv), for an app at `sourcePath`. */
export function baseEnv(app: { name?: string; namespace?: string; project?: string; sourcePath?: string } = {}): Record<string, string> {
  const rev = '0123456789abcdef0123456789abcdef01234567';
  return {
    ARGOCD_APP_NAME: app.name ?? 'demo',
    ARGOCD_APP_NAMESPACE: app.namespace ?? 'demo',
    ARGOCD_APP_PROJECT_NAME: app.project ?? 'default',
    ARGOCD_APP_REVISION: rev,
    ARGOCD_APP_REVISION_SHORT: rev.slice(0, 7),
    ARGOCD_APP_REVISION_SHORT_8: rev.slice(0, 8),
    ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.com/team/apps.git',
    ARGOCD_APP_SOURCE_PATH: app.sourcePath ?? '.',
    ARGOCD_APP_SOURCE_TARGET_REVISION: 'HEAD',
  };
}

/** How one streaming call is made. */
export interface CallOptions {
  /** App path relative to the streamed root (default `.`). */
  appRelPath?: string;
  /** Env sent in the metadata (added to nothing: pass baseEnv() yourself when wanted). */
  env?: Record<string, string>;
  /** Plugin parameters, sent as ARGOCD_APP_PARAMETERS + PARAM_* (as the repo-server does). */
  params?: ArgoParameter[];
  /** Which forms of `params` to send: both (default, like Argo CD), only the JSON, only PARAM_*. */
  paramsForm?: 'both' | 'json' | 'env';
  /** Call deadline in ms from now (default 60 s, Argo CD's repo-server timeout). */
  deadlineMs?: number;
  /** Chunk size (ARGOCD_CMP_CHUNK_SIZE, default 1024). */
  chunkSize?: number;
  /** Replace the tarball (hostile archives); `dir` is then only used for appName. */
  tgz?: Buffer;
  /** Override the checksum sent in the metadata. */
  checksum?: string;
  /** Send these messages verbatim instead of metadata + chunks. */
  messages?: unknown[];
  /** Cancel the call after this many ms (client cancel mid-stream). */
  cancelAfterMs?: number;
  /** Stop sending chunks (without half-closing) after this many; used with cancelAfterMs. */
  stallAfterChunks?: number;
}

type Client = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

let ClientCtor: grpc.ServiceClientConstructor | undefined;
function client(socket: string): Client {
  if (ClientCtor === undefined) {
    const pkg = loadSync(join(protoDir, 'plugin.proto'), {
      keepCase: true,
      longs: Number,
      defaults: true,
      arrays: true,
      objects: true,
      oneofs: true,
      includeDirs: [protoDir],
    });
    ClientCtor = grpc.makeGenericClientConstructor(
      pkg['plugin.ConfigManagementPluginService'] as grpc.ServiceDefinition,
      'ConfigManagementPluginService',
    );
  }
  return new ClientCtor(`unix://${socket}`, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 100 * 1024 * 1024,
    'grpc.max_send_message_length': 100 * 1024 * 1024,
    // The repo-server's keepalive: ping after 20 s without activity.
    'grpc.keepalive_time_ms': 20_000,
  }) as Client;
}

function envList(opts: CallOptions): { name: string; value: string }[] {
  const form = opts.paramsForm ?? 'both';
  const p = Object.entries(opts.params !== undefined ? parameterEnv(opts.params) : {}).filter(([k]) =>
    k === 'ARGOCD_APP_PARAMETERS' ? form !== 'env' : form !== 'json',
  );
  const env = { ...(opts.env ?? {}), ...Object.fromEntries(p) };
  return Object.entries(env).map(([name, value]) => ({ name, value }));
}

/** Streams `dir` (the repo root) to one of the three streaming rpcs and resolves with the reply. */
export function callStream<T>(socket: string, rpc: 'GenerateManifest' | 'MatchRepository' | 'GetParametersAnnouncement', dir: string, opts: CallOptions = {}): Promise<T> {
  const tgz = opts.tgz ?? tgzFromDir(dir);
  const appRelPath = opts.appRelPath ?? '.';
  const c = client(socket);
  const deadline = new Date(Date.now() + (opts.deadlineMs ?? 60_000));
  return new Promise<T>((ok, fail) => {
    const call = c[rpc]?.({ deadline }, (err: grpc.ServiceError | null, res: T) => {
      c.close();
      if (err) fail(err);
      else ok(res);
    }) as grpc.ClientWritableStream<unknown>;
    const send = async (): Promise<void> => {
      const write = (m: unknown): Promise<void> =>
        new Promise((res) => {
          if (call.write(m)) res();
          else call.once('drain', () => res());
        });
      if (opts.messages !== undefined) {
        for (const m of opts.messages) await write(m);
      } else {
        await write({
          metadata: {
            appName: basename(resolve(dir, appRelPath)),
            appRelPath: relative('.', appRelPath) || '.',
            checksum: opts.checksum ?? createHash('sha256').update(tgz).digest('hex'),
            size: tgz.length,
            env: envList(opts),
          },
        });
        const size = opts.chunkSize ?? 1024;
        let n = 0;
        for (let off = 0; off < tgz.length; off += size) {
          if (opts.stallAfterChunks !== undefined && n >= opts.stallAfterChunks) return;
          await write({ file: { chunk: tgz.subarray(off, off + size) } });
          n++;
        }
      }
      call.end();
    };
    if (opts.cancelAfterMs !== undefined) setTimeout(() => call.cancel(), opts.cancelAfterMs);
    send().catch(fail);
  });
}

/** GenerateManifest: resolves with the manifests (JSON strings), rejects with the gRPC error. */
export async function callGenerate(socket: string, dir: string, opts: CallOptions = {}): Promise<string[]> {
  const res = await callStream<{ manifests: string[] }>(socket, 'GenerateManifest', dir, opts);
  return res.manifests;
}

/** MatchRepository. */
export function callMatch(socket: string, dir: string, opts: CallOptions = {}): Promise<{ isSupported: boolean; isDiscoveryEnabled: boolean }> {
  return callStream(socket, 'MatchRepository', dir, opts);
}

/** GetParametersAnnouncement: resolves with the announcements. */
export async function callParameters(socket: string, dir: string, opts: CallOptions = {}): Promise<Record<string, unknown>[]> {
  const res = await callStream<{ parameterAnnouncements: Record<string, unknown>[] }>(socket, 'GetParametersAnnouncement', dir, opts);
  return res.parameterAnnouncements;
}

/** CheckPluginConfiguration (unary, google.protobuf.Empty). */
export function callCheck(socket: string): Promise<{ isDiscoveryConfigured: boolean; provideGitCreds: boolean }> {
  const c = client(socket);
  return new Promise((ok, fail) => {
    c['CheckPluginConfiguration']?.({}, { deadline: new Date(Date.now() + 10_000) }, (err: grpc.ServiceError | null, res: { isDiscoveryConfigured: boolean; provideGitCreds: boolean }) => {
      c.close();
      if (err) fail(err);
      else ok(res);
    });
  });
}

/** After a request: once the sidecar settles, no work dir and no child process is left. */
export async function expectClean(s: Sidecar): Promise<void> {
  await s.settled();
  expect(s.leftovers()).toEqual([]);
  expect(s.children()).toEqual([]);
  expect(s.launchers().length).toBeLessThanOrEqual(1);
}
