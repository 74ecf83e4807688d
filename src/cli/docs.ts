import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { generatedDocs } from '../docs.js';

/** `syncgate docs [dir]`: regenerates docs/errors.md, docs/policies.md and the config JSON Schema. */
export function registerDocs(program: Command): void {
  program
    .command('docs')
    .description('write the generated docs (errors, policies, config schema) into a directory')
    .argument('[dir]', 'target directory', 'docs')
    .action((dir: string) => {
      for (const [name, text] of Object.entries(generatedDocs())) writeFileSync(join(dir, name), text);
    });
}
