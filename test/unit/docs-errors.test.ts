// docs/errors.md shows one example line per code; the examples follow the message rules.
import { readFileSync } from 'node:fs';
import { CODES } from '../../src/errors/index.js';
import { EXAMPLES } from '../../src/errors/examples.js';
import { reportDecision } from '../../src/policy/report.js';

describe('docs/errors.md examples', () => {
  const page = readFileSync('docs/errors.md', 'utf8');

  test.each(Object.keys(CODES))('%s has one example line on the page', (code) => {
    const example = EXAMPLES[code as keyof typeof CODES];
    expect(example).toBeDefined();
    const row = page.split('\n').filter((l) => l.startsWith(`| \`${code}\` |`));
    expect(row).toHaveLength(1);
    expect(row[0]).toContain(`${code}: ${(example ?? '').replace(/\|/g, '\\|')}`);
  });

  test.each(Object.entries(EXAMPLES))('%s example reads as a chain: one line, no trailing period, not capitalised prose', (code, example) => {
    expect(Object.keys(CODES)).toContain(code);
    expect(example).not.toContain('\n');
    expect(example).not.toMatch(/\.$/);
    // an object (Kind/ns/name), a path, a flag, an env var or a quoted command may lead; prose starts lower case
    expect(example).toMatch(/^([a-z`'"./\-(]|[A-Z][A-Za-z]+\/|[A-Z_]+:|\/)/);
  });
});

describe('refusal wording (issue 17 item 14)', () => {
  const scan = {
    scanned: 1,
    notices: [],
    findings: [{ object: 'Pod/demo/p', policy: 'pss-baseline/privileged', path: 'spec', message: 'm', remediation: 'r', mode: 'enforce', severity: 'high' }],
  } as never;
  test.each([
    ['render', 'syncgate refused the render: 1 finding in 1 object (pss-baseline/privileged)'],
    ['manifests', 'syncgate refused the manifests: 1 finding in 1 object (pss-baseline/privileged)'],
    ['object', 'syncgate refused the object: 1 finding in 1 object (pss-baseline/privileged)'],
  ] as const)('%s', (subject, summary) => {
    expect(reportDecision(scan, subject).summary).toBe(summary);
  });
});
