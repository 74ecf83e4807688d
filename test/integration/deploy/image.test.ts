// Every container command line in deploy/ must run in the image deploy/Dockerfile builds:
// Kubernetes replaces the image ENTRYPOINT with `command` and its CMD with `args`, so the
// effective argv is worked out from both and checked against what the image holds (the Node
// image's docker-entrypoint.sh once turned `args: [webhook]` into `node webhook`). Also the
// image recipe itself: pinned bases, tini as PID 1, ports, what the build context excludes, and
// the tools stage run as the build runs it (only its COPY sources present).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allInstalls, deployKustomizations, podSpecs, root, type Doc } from './installs.js';

interface Instruction {
  op: string;
  arg: string;
}

/** Dockerfile instructions (continuations joined, comments dropped), split into stages. */
function stages(text: string): Instruction[][] {
  const out: Instruction[][] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? '';
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = `${line.slice(0, -1)} ${(lines[++i] ?? '').replace(/^\s*#.*$/, '')}`;
    }
    const m = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const ins = { op: m[1] ?? '', arg: (m[2] ?? '').trim() };
    if (ins.op === 'FROM') out.push([]);
    out.at(-1)?.push(ins);
  }
  return out;
}

const dockerfile = readFileSync(join(root, 'deploy', 'Dockerfile'), 'utf8');
const all = stages(dockerfile);
const runtime = all.at(-1) ?? [];
const last = (op: string): string | undefined => runtime.filter((i) => i.op === op).at(-1)?.arg;
const ENTRYPOINT = JSON.parse(last('ENTRYPOINT') ?? 'null') as string[] | null;
const CMD = JSON.parse(last('CMD') ?? 'null') as string[] | null;
const EXPOSE = (last('EXPOSE') ?? '').split(/\s+/).map(Number);
const ENV = Object.fromEntries(
  runtime
    .filter((i) => i.op === 'ENV')
    .flatMap((i) => [...i.arg.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)].map((m) => [m[1] ?? '', m[2] ?? ''])),
);
const RUN = runtime.filter((i) => i.op === 'RUN').map((i) => i.arg);
const IMAGE = /^ghcr\.io\/syncgate\/syncgate[:@]/;
const installs = allInstalls();

/** What the kubelet starts: command replaces ENTRYPOINT, args replace CMD (CMD dropped when command is set). */
function effectiveArgv(c: { command?: string[]; args?: string[] }): string[] {
  if (c.command !== undefined) return [...c.command, ...(c.args ?? [])];
  return [...(ENTRYPOINT ?? []), ...(c.args ?? CMD ?? [])];
}

type Container = { name: string; image: string; command?: string[]; args?: string[]; env?: { name: string; value?: string }[]; ports?: { containerPort: number }[]; volumeMounts?: { name: string; mountPath: string }[] };
const syncgateContainers: [string, Container, any][] = [];
for (const [install, docs] of installs) {
  for (const { spec } of podSpecs(docs)) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as Container[]) {
      if (IMAGE.test(c.image)) syncgateContainers.push([install, c, spec]);
    }
  }
}

describe('deploy/Dockerfile', () => {
  test('every base image is pinned by a sha256 digest', () => {
    const froms = all.map((s) => s[0]?.arg ?? '');
    expect(froms.length).toBe(3);
    for (const f of froms) expect(f).toMatch(/^[a-z0-9./-]+:[\w.-]+@sha256:[0-9a-f]{64}( AS \w+)?$/);
  });

  test('tini is PID 1 and the command is CMD; the syncgate link is on PATH', () => {
    expect(ENTRYPOINT).toEqual(['/usr/bin/tini', '--']);
    expect(CMD).toEqual(['syncgate', 'serve']);
    expect(RUN.some((r) => /apt-get install -y --no-install-recommends tini=\S+/.test(r))).toBe(true);
    expect(RUN.some((r) => r.includes('ln -s /app/dist/bin/syncgate.cjs /usr/local/bin/syncgate'))).toBe(true);
  });

  test('only helm, kustomize and the launcher are copied in: syncgate decrypts SOPS itself', () => {
    const copies = runtime.filter((i) => i.op === 'COPY' && i.arg.startsWith('--from=tools')).map((i) => i.arg);
    expect(copies).toEqual(['--from=tools /src/.tools/bin/helm /src/.tools/bin/kustomize /src/.tools/bin/syncgate-launcher /usr/local/bin/']);
    expect(dockerfile).not.toMatch(/\.tools\/bin\/(sops|age)\b/);
  });

  test("the benches measure syncgate on the image's Node.js: scripts/tools.sh image-node pins the version the node base is", () => {
    // The base is pinned by digest; the version that digest holds is recorded beside it.
    const tag = /^FROM node:(\d+)-[\w.-]+@sha256:/m.exec(dockerfile)?.[1];
    const recorded = /repos\/node\/remote\/[\w.-]+\.md: Node (\d+\.\d+\.\d+)/.exec(dockerfile)?.[1];
    const pinned = /^IMAGE_NODE=(\S+)$/m.exec(readFileSync(join(root, 'scripts', 'tools.sh'), 'utf8'))?.[1];
    expect(tag).toBeDefined();
    expect(recorded?.split('.')[0]).toBe(tag);
    expect(pinned).toBe(recorded);
  });

  test('the tools stage, given only what it copies, builds every file the runtime stage takes from it', () => {
    const stage = all.find((s) => / AS tools$/.test(s[0]?.arg ?? '')) ?? [];
    const workdir = stage.find((i) => i.op === 'WORKDIR')?.arg ?? '/';
    const ctx = mkdtempSync(join(tmpdir(), 'sg-tools-stage-'));
    try {
      for (const i of stage.filter((x) => x.op === 'COPY')) {
        const [from, to] = i.arg.split(/\s+/);
        cpSync(join(root, from ?? ''), join(ctx, to ?? ''), { recursive: true });
      }
      // The per-user tools cache stands in for the image build's `go install` (same versions).
      for (const i of stage.filter((x) => x.op === 'RUN')) {
        // spawnSync blocks the test's own timeout: the run carries one (killed, it fails the test).
        const r = spawnSync('sh', ['-c', i.arg], { cwd: ctx, env: { ...process.env, HOME: process.env['HOME'] ?? ctx }, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' });
        expect({ run: i.arg, status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ run: i.arg, status: 0, stderr: '' });
      }
      const taken = runtime
        .filter((i) => i.op === 'COPY' && i.arg.startsWith('--from=tools'))
        .flatMap((i) => i.arg.split(/\s+/).slice(1, -1));
      expect(taken.length).toBeGreaterThan(0);
      for (const f of taken) {
        const local = join(ctx, f.startsWith(`${workdir}/`) ? f.slice(workdir.length + 1) : f);
        expect({ f, executable: existsSync(local) && (statSync(local).mode & 0o111) !== 0 }).toEqual({ f, executable: true });
      }
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
  });

  test('the default HTTP port is the exposed one', () => {
    expect(ENV['SYNCGATE_HTTP_PORT']).toBe('8090');
    expect(EXPOSE).toEqual([8090, 8443]);
  });

  test('.dockerignore keeps local builds, tools, keys and history out, and every COPY source in', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['.git', 'node_modules', 'dist', '.tools', 'test']));
    const sources = all
      .flat()
      .filter((i) => i.op === 'COPY' && !i.arg.startsWith('--from'))
      .flatMap((i) => i.arg.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const s of sources) expect(ignored).not.toContain(s.split('/')[0]);
  });
});

describe('every syncgate container in deploy/ runs in the image', () => {
  test('installs rendered: each deploy/ kustomization, each component, the Helm values', () => {
    expect([...installs.keys()].sort()).toEqual(['components:monitoring', 'components:native', 'components:stock', 'deploy/argocd', 'deploy/argocd/admission', 'deploy/flux', 'helm:deploy/argocd/helm/values.yaml']);
    expect(syncgateContainers.length).toBe(7);
  });

  test.each(syncgateContainers.map(([install, c, spec]) => [`${install}: ${c.name}`, c, spec] as const))('%s', (_n, c, spec) => {
    const argv = effectiveArgv(c);
    // tini stays PID 1: a container that sets `command` would replace it.
    expect(argv.slice(0, 2)).toEqual(['/usr/bin/tini', '--']);
    const [program, ...rest] = argv.slice(2);
    if (program === 'syncgate') {
      const sub = rest[0] ?? '';
      const r = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), ...rest, '--help'], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status).toBe(0);
      expect(r.stdout.split('\n')[0]).toBe(`Usage: syncgate ${sub} [options]`);
    } else if (program === '/var/run/argocd/argocd-cmp-server') {
      // Not in the image: argocd-repo-server's copyutil init container copies it into var-files.
      const mount = c.volumeMounts?.find((m) => m.mountPath === '/var/run/argocd');
      expect(mount).toBeDefined();
      const init = (spec.initContainers ?? []).find((i: Container) => (i.volumeMounts ?? []).some((m) => m.name === mount?.name && m.mountPath === '/var/run/argocd'));
      expect([...(init?.command ?? []), ...(init?.args ?? [])].join(' ')).toContain('/var/run/argocd/argocd-cmp-server');
      expect(rest).toEqual([]);
    } else {
      throw new Error(`${c.name}: ${JSON.stringify(argv)} runs nothing the image provides`);
    }
    for (const p of c.ports ?? []) expect(EXPOSE).toContain(p.containerPort);
    const httpPort = c.env?.find((e) => e.name === 'SYNCGATE_HTTP_PORT')?.value;
    if (httpPort !== undefined) expect(httpPort).toBe(ENV['SYNCGATE_HTTP_PORT']);
    const portFlag = rest.find((a) => a.startsWith('--port='));
    if (portFlag !== undefined) expect(EXPOSE).toContain(Number(portFlag.slice('--port='.length)));
  });
});

describe('kustomize build of every overlay in deploy/', () => {
  test.each(deployKustomizations().map((k) => [k.dir.slice(root.length + 1), k.kind] as const))('%s (%s) builds', (dir, kind) => {
    if (kind === 'Kustomization') {
      expect(installs.get(dir)?.length).toBeGreaterThan(0);
    } else {
      // A Component builds through the fixture overlays that include it.
      const users = ['native', 'stock', 'monitoring'].filter((o) =>
        readFileSync(join(root, 'test', 'fixtures', 'deploy', o, 'kustomization.yaml'), 'utf8').includes(dir),
      );
      expect(users.length).toBeGreaterThan(0);
      for (const u of users) expect((installs.get(`components:${u}`) as Doc[]).length).toBeGreaterThan(0);
    }
  });

  test('the monitoring component adds a ServiceMonitor for the metrics Service; stock mode drops both', () => {
    const kinds = (name: string): string[] => (installs.get(name) ?? []).map((d) => `${d.kind}/${d.metadata.name}`).sort();
    expect(kinds('components:monitoring')).toEqual(expect.arrayContaining(['ServiceMonitor/syncgate-metrics', 'Service/syncgate-metrics', 'NetworkPolicy/syncgate-metrics']));
    expect(kinds('components:stock').filter((k) => k.includes('syncgate-metrics'))).toEqual([]);
    const sm = installs.get('components:monitoring')?.find((d) => d.kind === 'ServiceMonitor');
    const svc = installs.get('components:monitoring')?.find((d) => d.kind === 'Service');
    expect(svc?.['metadata'].labels).toMatchObject(sm?.['spec'].selector.matchLabels);
    expect(sm?.['spec'].endpoints[0].port).toBe(svc?.['spec'].ports[0].name);
  });
});
