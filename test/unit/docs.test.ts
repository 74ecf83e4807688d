import { readFileSync } from 'node:fs';
import { generatedDocs } from '../../src/docs.js';
import { buildProgram } from '../../src/cli/program.js';
import { cliReference, withCliReference } from '../../src/cli/reference.js';

describe('generated docs', () => {
  test.each(Object.entries(generatedDocs()))('docs/%s matches the registry (run `npm run docs`)', (name, text) => {
    expect(readFileSync(`docs/${name}`, 'utf8')).toBe(text);
  });

  test('README flag table matches the CLI (run `npm run docs`)', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(withCliReference(readme, cliReference(buildProgram()))).toBe(readme);
  });

  test('every flag of a long-running command has an env var', () => {
    const program = buildProgram();
    for (const name of ['serve', 'webhook']) {
      const cmd = program.commands.find((c) => c.name() === name)!;
      const missing = cmd.options.filter((o) => !o.envVar && o.long !== '--help').map((o) => o.flags);
      expect(missing).toEqual([]);
    }
  });
});
