// Bundles the CLI for installs (package.json "bin", the image, plugin.yaml) into dist/bin/:
// - syncgate-cli.cjs: the whole CLI (src/cli/run.ts) and every dependency in one CommonJS file;
//   modules behind a dynamic import() are evaluated only when a command imports them;
// - syncgate.cjs: the command, which runs that file through V8's code cache (src/cli/bin.ts).
// The stock argocd-cmp-server starts one process per generate/discover/parameters, so start-up
// is paid per request; bench/startup.mjs measures it against `node -e 0`.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const outdir = 'dist/bin';
rmSync(outdir, { recursive: true, force: true });
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'linked',
};
const cli = await build({
  ...common,
  entryPoints: ['src/cli/run.ts'],
  outfile: `${outdir}/syncgate-cli.cjs`,
  metafile: true,
  // src/cli/version.ts, src/exec/tools.ts and src/cmp/service.ts find files next to their module.
  define: { 'import.meta.url': '__syncgateUrl' },
  banner: { js: "const __syncgateUrl = require('node:url').pathToFileURL(__filename).href;" },
});
await build({
  ...common,
  entryPoints: ['src/cli/bin.ts'],
  outfile: `${outdir}/syncgate.cjs`,
  banner: { js: '#!/usr/bin/env node' },
});
// src/cmp/service.ts reads its .proto files next to the module that loads them.
cpSync('src/cmp/proto', `${outdir}/proto`, { recursive: true });
chmodSync(`${outdir}/syncgate.cjs`, 0o755);
// What the bundle holds (`npx esbuild --analyze` style): dist/bundle-meta.json.
writeFileSync('dist/bundle-meta.json', JSON.stringify(cli.metafile));
const code = readFileSync(`${outdir}/syncgate-cli.cjs`);
if (!code.includes('runCli')) throw new Error('bundle: runCli missing');
// The code cache's key (V8 itself checks only the source's length): src/cli/bin.ts reads it.
writeFileSync(`${outdir}/syncgate-cli.cjs.sha256`, `${createHash('sha256').update(code).digest('hex')}\n`);
