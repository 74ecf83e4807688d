import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CODES } from '../../../src/errors/index.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('error registry', () => {
  const code = Object.keys(CODES);
  const text = sources('src')
    .filter((p) => !p.startsWith(join('src', 'errors')))
    .map((p) => readFileSync(p, 'utf8'))
    .join('\n');

  test.each(code)('%s is UPPER_SNAKE with a domain prefix and a description', (c) => {
    expect(c).toMatch(/^(CONFIG|USAGE|EXEC|K8S|LIMIT|INTERNAL|CMP|RENDER|SOPS|POLICY|FLUX|WEBHOOK|KEYS)(_[A-Z0-9]+)*$/);
    const spec = CODES[c as keyof typeof CODES];
    expect(spec.description.length).toBeGreaterThan(10);
  });

  test.each(code.filter((c) => c !== 'INTERNAL'))('%s is raised somewhere in src/', (c) => {
    expect(text).toContain(`'${c}'`);
  });
});
