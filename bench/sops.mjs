// bench/sops.mjs — syncgate's in-process SOPS decryption vs `sops decrypt` once per file (what
// KSOPS and helm-secrets do), on 500 encrypted Secrets and on one ~5 MB encrypted values file.
// Prints three ratios: decryption only (the decrypt stage on parsed objects), end to end in the
// sidecar (gate(): render of the directory, decrypt, taint tracking, policy scan) and end to end
// as the stock CMP runs it (one `syncgate render` process).
// Needs `npm run build` and the pinned sops (.tools/bin). Encrypted inputs are made once with the
// real sops and cached in bench/out/sops (gitignored). Run: node bench/sops.mjs
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => join(root, 'dist', p);
const { parseConfig } = await import(dist('config/index.js'));
const { parseResources } = await import(dist('k8s/index.js'));
const { silentLogger } = await import(dist('log/index.js'));
const { decryptResources, prepareSecrets } = await import(dist('sops/index.js'));
const { createWorkDir, removeWorkDir, gate } = await import(dist('gate/index.js'));

const SOPS = join(root, '.tools', 'bin', 'sops');
const KEY = join(root, 'test', 'fixtures', 'sops', 'keys', 'TEST-ONLY-team-a.agekey');
const RECIPIENT = /age1[0-9a-z]+/.exec(readFileSync(KEY, 'utf8'))[0];
const out = join(root, 'bench', 'out', 'sops');
const secretsDir = join(out, 'secrets');
const N = 500;
const env = { PATH: process.env.PATH ?? '', HOME: out, SOPS_AGE_KEY_FILE: KEY };
const cfgFile = join(out, 'sops.yaml');

mkdirSync(secretsDir, { recursive: true });
writeFileSync(cfgFile, JSON.stringify({ creation_rules: [{ age: RECIPIENT, encrypted_regex: '^(data|stringData)$' }] }));
const encrypt = (plainPath, cfg = cfgFile) => execFileSync(SOPS, ['--config', cfg, 'encrypt', plainPath], { env, maxBuffer: 1 << 30 });

// 1. 500 Secrets, each its own SOPS file.
let made = 0;
for (let i = 0; i < N; i++) {
  const f = join(secretsDir, `secret-${String(i).padStart(3, '0')}.yaml`);
  if (existsSync(f)) continue;
  const plain = join(out, 'plain.yaml');
  const data = Array.from({ length: 5 }, (_, j) => `  key-${j}: ${randomBytes(24).toString('base64')}`).join('\n');
  writeFileSync(plain, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s-${i}\n  namespace: team-a\ntype: Opaque\nstringData:\n${data}\n`);
  writeFileSync(f, encrypt(plain));
  made++;
}
// 2. One ~5 MB encrypted values file.
const big = join(out, 'values-5mb.enc.yaml');
if (!existsSync(big)) {
  const plain = join(out, 'values-5mb.yaml');
  const lines = [];
  for (let s = 0; s < 290; s++) {
    lines.push(`service${s}:`);
    for (let k = 0; k < 100; k++) lines.push(`  k${k}: ${randomBytes(30).toString('base64')}`);
  }
  writeFileSync(plain, lines.join('\n') + '\n');
  writeFileSync(cfgFile + '.all', JSON.stringify({ creation_rules: [{ age: RECIPIENT }] }));
  writeFileSync(big, encrypt(plain, cfgFile + '.all'));
  made++;
}
if (made) console.log(`(encrypted ${made} input files with sops into bench/out/sops)`);

const files = readdirSync(secretsDir).filter((f) => f.endsWith('.yaml')).sort().slice(0, N);
const config = parseConfig({
  apiVersion: 'syncgate.dev/v1alpha1',
  kind: 'GateConfig',
  spec: { keys: [{ name: 'team-a', ageIdentityFile: KEY, grants: { projects: ['team-a'], namespaces: ['team-a'] } }] },
});
const context = { appName: 'bench', namespace: 'team-a', project: 'team-a', repoURL: '', sourcePath: '.', revision: '', kubeVersion: '', apiVersions: [] };
const req = { appDir: secretsDir, repoRoot: secretsDir, context, options: {}, config, logger: silentLogger() };
const time = async (f) => {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Warm-up: key store load and JIT, as in a long-running sidecar.
await decryptResources(parseResources(readFileSync(join(secretsDir, files[0]), 'utf8'), files[0]), req);

// The decrypt stage as gate() runs it: objects already parsed by the renderer (kustomize parses
// KSOPS' output as well), each file re-read, verified (MAC) and decrypted.
const parsed = files.map((f) => parseResources(readFileSync(join(secretsDir, f), 'utf8'), f));
const inproc = [];
const withParse = [];
for (let r = 0; r < 3; r++) {
  inproc.push(
    await time(async () => {
      for (const res of parsed) {
        const out = await decryptResources(res, req);
        if (out[0].decryptedBy !== 'team-a') throw new Error('not decrypted');
      }
    }),
  );
  withParse.push(
    await time(async () => {
      for (const f of files) await decryptResources(parseResources(readFileSync(join(secretsDir, f), 'utf8'), f), req);
    }),
  );
}
const perFile = await time(async () => {
  for (const f of files) execFileSync(SOPS, ['decrypt', join(secretsDir, f)], { env });
});

// End to end: the whole pipeline on the directory of 500 files, in-process (sidecar) and as one
// CLI process (stock argocd-cmp-server mode, start-up included).
const e2e = [];
let stages = {};
for (let r = 0; r < 3; r++) {
  e2e.push(
    await time(async () => {
      const res = await gate({ ...req, options: { type: 'directory' } });
      stages = res.timings;
      if (res.resources.length !== files.length || res.resources.some((x) => x.decryptedBy !== 'team-a')) throw new Error('not all decrypted');
    }),
  );
}
const cfgPath = join(out, 'gateconfig.json');
writeFileSync(cfgPath, JSON.stringify({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig', spec: { keys: [{ name: 'team-a', ageIdentityFile: KEY, grants: { projects: ['team-a'], namespaces: ['team-a'] } }] } }));
const cli = [];
for (let r = 0; r < 3; r++) {
  cli.push(
    await time(async () => {
      const text = execFileSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'render', secretsDir, '--project', 'team-a', '--namespace', 'team-a', '--app', 'bench', '-c', cfgPath], {
        env: { PATH: process.env.PATH ?? '', HOME: out, SYNCGATE_LOG_LEVEL: 'error' },
        maxBuffer: 1 << 30,
      }).toString();
      if ((text.match(/^kind: Secret$/gm) ?? []).length !== files.length) throw new Error('render output incomplete');
    }),
  );
}

// The values file as the prepare stage handles it: a chart whose secrets.yaml is the 5 MB file,
// read, verified, decrypted and serialised (JSON) for helm's stdin.
const chart = join(out, 'chart');
mkdirSync(chart, { recursive: true });
writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: bench\nversion: 0.1.0\n');
writeFileSync(join(chart, 'secrets.yaml'), readFileSync(big));
const oursBig = [];
const sopsBig = [];
for (let r = 0; r < 3; r++) {
  const work = await createWorkDir('sops-bench-');
  oursBig.push(
    await time(async () => {
      const p = await prepareSecrets({ ...req, appDir: chart, repoRoot: chart, options: {} }, work);
      if (p.helmValues === undefined) throw new Error('values file not decrypted');
    }),
  );
  await removeWorkDir(work);
  sopsBig.push(await time(async () => execFileSync(SOPS, ['decrypt', big], { env, maxBuffer: 1 << 30 })));
}

const ms = (x) => `${x.toFixed(0)} ms`;
const a = median(inproc);
const b = median(oursBig);
const c = median(sopsBig);
console.log(`node ${process.version}, sops ${execFileSync(SOPS, ['--version'], { env }).toString().split('\n')[0]}`);
const p = median(withParse);
console.log(`load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} CPUs`);
const e = median(e2e);
const k = median(cli);
console.log(`500 SOPS Secret files (one directory app), sops decrypt once per file: ${ms(perFile)} (${(perFile / files.length).toFixed(2)} ms/file)`);
console.log(`  decryption only  syncgate decrypt stage on parsed objects: ${ms(a)} (${(a / files.length).toFixed(2)} ms/file, median of 3)  ratio ${(perFile / a).toFixed(1)}x`);
console.log(`                   + manifest YAML parse:                    ${ms(p)} (${(p / files.length).toFixed(2)} ms/file)  ratio ${(perFile / p).toFixed(1)}x`);
console.log(`  end to end       gate() in the sidecar (render, decrypt, taint, scan): ${ms(e)} (median of 3)  ratio ${(perFile / e).toFixed(1)}x`);
console.log(`                   (last run by stage: ${Object.entries(stages).map(([k, v]) => `${k} ${Math.round(v)} ms`).join(', ')})`);
console.log(`                   one \`syncgate render\` process (start-up included):  ${ms(k)} (median of 3)  ratio ${(perFile / k).toFixed(1)}x`);
console.log(`${(statSync(big).size / 1e6).toFixed(1)} MB encrypted values file  syncgate prepare stage: ${ms(b)}  sops decrypt: ${ms(c)} (median of 3)  ratio ${(c / b).toFixed(2)}x`);
