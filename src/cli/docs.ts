import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';

/**
 * `syncgate docs [dir]`: regenerates docs/errors.md, docs/policies.md, the config JSON Schema
 * and the flag table of README.md (`--readme`).
 */
export function registerDocs(program: Command): void {
  program
    .command('docs')
    .description('write the generated docs (errors, policies, config schema, README flag table)')
    .argument('[dir]', 'target directory', 'docs')
    .option('--readme <file>', 'README whose cli-reference block is regenerated', 'README.md')
    .action(async (dir: string, flags: { readme: string }) => {
      // Loaded on use: the policy registry is not needed by any other command's start-up.
      const { generatedDocs } = await import('../docs.js');
      const { cliReference, withCliReference } = await import('./reference.js');
      // the whole program: this process registered only `docs`
      const { buildProgram } = await import('./program.js');
      for (const [name, text] of Object.entries(generatedDocs())) writeFileSync(join(dir, name), text);
      writeFileSync(flags.readme, withCliReference(readFileSync(flags.readme, 'utf8'), cliReference(buildProgram())));
    });
}
