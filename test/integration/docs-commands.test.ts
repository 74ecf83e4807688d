// Docs stay true by construction (issue 17): every fenced shell command of README.md and docs/*.md
// runs against the bundled examples, with the CLI installed the way the README says (npm pack,
// npm install -g into a throwaway prefix: this also proves the package installs as a CLI). The
// docs are read at test time, so commands added later are run too. A command is skipped when a
// name in it needs a cluster or a registry (SKIP_NAMES), or when its block is marked with
// `<!-- docs-test: skip: <reason> -->` on the line before the fence. A trailing `# exit N` says
// which exit code the doc promises (default 0). Needs `npm run build` and the pinned tools.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const project = resolve(import.meta.dirname, '..', '..');

/** Command names that need something a test machine does not have. */
const SKIP_NAMES: Readonly<Record<string, string>> = {
  kubectl: 'needs a cluster',
  flux: 'needs a cluster or an OCI registry',
  cosign: 'needs a registry and a signing identity',
  npm: 'the set-up and the test suite themselves (npm pack and npm install -g run in beforeAll)',
};
/** `npm pack` / `npm install -g` are what beforeAll does; run them in the docs too, they are cheap. */
const RUN_ANYWAY = [/^npm pack\b/, /^npm install -g \.\/syncgate-[\d.]+\.tgz\b/];

interface DocCommand {
  where: string;
  command: string;
  exit: number;
  skip?: string;
}

/** The shell commands of one markdown file: `sh`/`bash`/`shell` lines and `console` `$ ` lines. */
export function docCommands(file: string, text: string): DocCommand[] {
  const lines = text.split('\n');
  const out: DocCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(```+|~~~+)\s*([\w-]*)/.exec(lines[i] ?? '');
    if (!open) continue;
    const fence = open[1] ?? '```';
    const lang = open[2] ?? '';
    let prev = i - 1;
    while (prev >= 0 && (lines[prev] ?? '').trim() === '') prev--;
    const marker = /^<!--\s*docs-test:\s*skip:?\s*(.*?)\s*-->$/.exec((lines[prev] ?? '').trim());
    let end = i + 1;
    while (end < lines.length && !(lines[end] ?? '').startsWith(fence)) end++;
    const body = lines.slice(i + 1, end);
    i = end;
    if (!['sh', 'bash', 'shell', 'zsh', 'console'].includes(lang)) continue;
    let current: { start: number; text: string } | undefined;
    body.forEach((raw, k) => {
      const lineNo = i - body.length + k;
      let line = raw;
      if (current === undefined) {
        if (lang === 'console') {
          if (!line.startsWith('$ ')) return;
          line = line.slice(2);
        }
        if (line.trim() === '' || line.trimStart().startsWith('#')) return;
        current = { start: lineNo, text: '' };
      }
      current.text += `${line}\n`;
      if (!/\\\s*$/.test(line)) {
        const command = current.text.trim();
        const exit = /#\s*exit (\d+)\b[^\n]*$/.exec(command);
        out.push({
          where: `${file}:${String(current.start)}`,
          command,
          exit: exit ? Number(exit[1]) : 0,
          ...(marker ? { skip: marker[1] || 'marked in the doc' } : {}),
        });
        current = undefined;
      }
    });
  }
  return out;
}

/** The reason a command is not run here, from the names of the commands in it. */
function skipReason(command: string): string | undefined {
  if (RUN_ANYWAY.some((re) => re.test(command))) return undefined;
  if (/^set\s+[-+]/.test(command)) return 'shell options of a script';
  const words = command
    .replace(/#[^\n'"]*$/gm, '')
    .split(/\|\||&&|[|;\n]|\$\(/)
    .map((seg) => seg.trim().replace(/^(\w+=\S*\s+)*/, '').split(/\s+/)[0] ?? '');
  const hit = words.find((w) => SKIP_NAMES[w] !== undefined);
  if (hit !== undefined) return `${hit}: ${SKIP_NAMES[hit] ?? ''}`;
  if (/\bnode bench\//.test(command)) return 'a benchmark (minutes)';
  return undefined;
}

let work: string;
let env: NodeJS.ProcessEnv;

function sh(command: string, cwd = join(work, 'checkout')) {
  return spawnSync('bash', ['-c', command], { cwd, env, encoding: 'utf8', timeout: 90_000 });
}

/** A checkout as a new user has it after set-up (the package, the examples, the built bundle), fresh for each doc. */
function freshCheckout(): void {
  const dir = join(work, 'checkout');
  rmSync(dir, { recursive: true, force: true });
  for (const p of ['package.json', 'README.md', 'plugin.yaml', 'examples', 'docs']) cpSync(join(project, p), join(dir, p), { recursive: true });
  cpSync(join(project, 'dist', 'bin'), join(dir, 'dist', 'bin'), { recursive: true });
}

beforeAll(() => {
  if (!existsSync(join(project, 'dist', 'bin', 'syncgate.cjs'))) throw new Error('dist/bin/syncgate.cjs is missing: run npm run build first');
  work = mkdtempSync(join(tmpdir(), 'syncgate-docs-'));
  freshCheckout();
  mkdirSync(join(work, '.home'));
  env = {
    PATH: `${join(work, '.prefix', 'bin')}:${join(project, '.tools', 'bin')}:${process.env['PATH'] ?? ''}`,
    HOME: join(work, '.home'),
    // npm install -g goes to a throwaway prefix; npm never reaches the registry
    npm_config_prefix: join(work, '.prefix'),
    npm_config_cache: join(work, '.home', 'npm-cache'),
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    SYNCGATE_COMPILE_CACHE: join(work, '.home', 'cc'),
  };
  // issue 17 item 12: the package installs as a CLI the way Node users expect
  const pack = sh('npm pack --silent');
  expect(pack.stderr).toBe('');
  const tgz = pack.stdout.trim().split('\n').pop() ?? '';
  const install = sh(`npm install -g ./${tgz}`);
  if (install.status !== 0) throw new Error(`npm install -g ./${tgz} failed: ${install.stderr}`);
}, 180_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('npm install -g puts a working syncgate on PATH: no dependencies to fetch, the bundle only', () => {
  const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { version: string; dependencies?: object; bin: { syncgate: string } };
  expect(pkg.dependencies ?? {}).toEqual({});
  const v = sh('syncgate --version');
  expect(v.stdout).toBe(`${pkg.version}\n`);
  expect(sh('command -v syncgate').stdout.trim()).toBe(join(work, '.prefix', 'bin', 'syncgate'));
  const installed = join(work, '.prefix', 'lib', 'node_modules', 'syncgate');
  // the installed command runs from its own directory, not from a checkout
  expect(sh('syncgate --version', installed).stdout).toBe(`${pkg.version}\n`);
  expect(readdirSync(installed).sort()).toEqual(['README.md', 'dist', 'docs', 'package.json', 'plugin.yaml']);
  const r = sh('syncgate render examples/helm-app --app demo --namespace demo');
  expect(r.stderr).toMatch(/^(warning: [^\n]*\n)*$/);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('kind: Deployment');
});

test('every documented shell command works', () => {
  const files = ['README.md', ...readdirSync(join(project, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const ran: string[] = [];
  const skipped: string[] = [];
  const failures: string[] = [];
  // each doc is a walk-through from a fresh checkout; its commands run in order
  for (const c of files.flatMap((f) => docCommands(f, readFileSync(join(project, f), 'utf8')).map((cmd, i) => ({ ...cmd, first: i === 0 })))) {
    if (c.first) freshCheckout();
    const why = c.skip ?? skipReason(c.command);
    if (why !== undefined) {
      skipped.push(`${c.where}: ${why}`);
      continue;
    }
    const r = sh(c.command);
    ran.push(c.where);
    if (r.status !== c.exit) {
      failures.push(`${c.where}: exit ${String(r.status)}, the doc promises ${String(c.exit)}\n  $ ${c.command}\n  ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join('\n  ')}`);
    }
  }
  console.log(`documented shell commands: ${String(ran.length)} run, ${String(skipped.length)} skipped\n${skipped.map((s) => `  skipped ${s}`).join('\n')}`);
  expect(failures).toEqual([]);
  expect(ran.length).toBeGreaterThanOrEqual(8);
});

test('the extractor reads sh and console blocks, continuations, skip markers and promised exit codes', () => {
  const md = [
    '```sh',
    'syncgate render a \\',
    '  --app b      # exit 1',
    '# a comment',
    'kubectl apply -k x',
    '```',
    '<!-- docs-test: skip: your repo -->',
    '```console',
    '$ syncgate scan c',
    'output line',
    '```',
    '```yaml',
    'a: b',
    '```',
  ].join('\n');
  const cmds = docCommands('x.md', md);
  expect(cmds.map((c) => [c.command, c.exit, c.skip])).toEqual([
    ['syncgate render a \\\n  --app b      # exit 1', 1, undefined],
    ['kubectl apply -k x', 0, undefined],
    ['syncgate scan c', 0, 'your repo'],
  ]);
  expect(skipReason('kustomize build deploy/flux | kubectl apply -f -')).toBe('kubectl: needs a cluster');
  expect(skipReason('syncgate -c x render y')).toBeUndefined();
  expect(skipReason('npm pack')).toBeUndefined();
  expect(skipReason('npm run setup')).toMatch(/^npm: /);
});
