import { resolve } from 'node:path';
import type { Command } from 'commander';
import { printError } from './output.js';

/**
 * `syncgate discover [dir]`: for plugin.yaml `discover.find.command`. Prints the app type
 * (`helm`, `kustomize`, `directory`) when syncgate can render the dir, nothing otherwise;
 * the stock server treats any output as a match.
 */
export function registerDiscover(program: Command): void {
  program
    .command('discover')
    .description('print the app type of a directory (default: cwd) if syncgate can render it, nothing otherwise')
    .argument('[dir]', 'app directory', '.')
    .action(async (dir: string) => {
      try {
        const { discoverApp } = await import('../cmp/discover.js');
        const type = await discoverApp(resolve(dir));
        if (type !== undefined) process.stdout.write(`${type}\n`);
      } catch (e) {
        process.exitCode = printError(e);
      }
    });
}
