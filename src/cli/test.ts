import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { printError } from './output.js';

interface TestFlags {
  junit?: string;
  failOnly?: boolean;
}

/** `syncgate test <dir>`: policy unit tests (syncgate-test.yaml) in the style of `kyverno test`; exit 1 when an expectation fails. */
export function registerTest(program: Command): void {
  program
    .command('test')
    .description('run policy tests (every syncgate-test.yaml under <dir>): expected pass/fail/warn/skip per policy and resource; exit 1 when one differs')
    .argument('<dir>', 'directory searched recursively for syncgate-test.yaml, or one test file')
    .option('--junit <file>', 'also write a JUnit XML report to this file')
    .option('--fail-only', 'list only the expectations that failed')
    .action(async (dir: string, flags: TestFlags) => {
      let exit = 0;
      try {
        const { findTestFiles, runTestFile, testJunit } = await import('../policy/index.js');
        const files = [];
        for (const f of findTestFiles(dir)) files.push(await runTestFile(f, process.cwd()));
        const lines: string[] = [];
        let total = 0;
        let failed = 0;
        for (const f of files) {
          lines.push(`== ${f.name} (${f.file})`);
          for (const r of f.results) {
            total++;
            if (r.ok) {
              if (!flags.failOnly) lines.push(`  ok    ${r.policy}  ${r.resource}  ${r.want}`);
              continue;
            }
            failed++;
            lines.push(`  FAIL  ${r.policy}  ${r.resource}`, `        - want: ${r.want}`, `        + got:  ${r.got}`, ...r.detail.map((d) => `          ${d}`));
          }
        }
        lines.push(`${files.length} test file${files.length === 1 ? '' : 's'}, ${total} result${total === 1 ? '' : 's'}: ${total - failed} passed, ${failed} failed`, '');
        process.stdout.write(lines.join('\n'));
        if (flags.junit !== undefined) writeFileSync(flags.junit, testJunit(files));
        exit = failed ? 1 : 0;
      } catch (e) {
        exit = printError(e);
      }
      process.exitCode = exit;
    });
}
