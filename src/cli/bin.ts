// The installed `syncgate` command (package.json "bin", the image, plugin.yaml): loads the CLI
// bundle (dist/bin/syncgate-cli.cjs, one file, every dependency inside) through V8's code cache.
// Each command is a fresh process (the stock argocd-cmp-server starts one per request), so the
// compile time saved here is saved per request; bench/startup.mjs measures it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeCacheDir, runWithCodeCache } from './code-cache.js';
import { commandName } from './command-name.js';

// Bundled as CommonJS (scripts/bundle.mjs), so __dirname is this file's directory.
const bundle = join(__dirname, 'syncgate-cli.cjs');
let hash: string | undefined;
try {
  hash = readFileSync(`${bundle}.sha256`, 'utf8').trim();
} catch {
  hash = undefined;
}
const cli = runWithCodeCache(bundle, commandName(process.argv.slice(2)) ?? 'root', codeCacheDir(), hash);
process.once('exit', () => {
  cli.save();
});
void (cli.exports['runCli'] as (argv: readonly string[]) => Promise<void>)(process.argv);
