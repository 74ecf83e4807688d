import { jest } from '@jest/globals';
import { printError, usageLine } from '../../../src/cli/print-error.js';
import { createLogger } from '../../../src/log/index.js';
import { SyncgateError } from '../../../src/errors/index.js';
import { Redactor } from '../../../src/log/index.js';

describe('printError', () => {
  const logged: unknown[] = [];
  const logger = { isLevelEnabled: () => true, debug: (fields: unknown, msg: string) => logged.push({ fields, msg }) };
  let written = '';
  beforeEach(() => {
    logged.length = 0;
    written = '';
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written += String(chunk);
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  test('masks a secret holding a quote and a backslash in the message and the logged details', () => {
    const secret = 'pa"ss\\word';
    const r = new Redactor();
    r.add(secret);
    const e = new SyncgateError('EXEC_FAILED', `helm failed: ${secret}`, { details: { argv: `helm --set=pw=${secret}`, exitCode: 1 } });
    expect(printError(e, logger as never, r)).toBe(3);
    expect(written).toBe('EXEC_FAILED: helm failed: *****\n');
    expect(JSON.stringify(logged)).not.toContain('pa\\"ss');
    expect(logged).toEqual([{ fields: { code: 'EXEC_FAILED', details: { argv: 'helm --set=pw=*****', exitCode: 1 } }, msg: 'helm failed: *****' }]);
  });

  test('a secret that matches JSON punctuation does not break the report', () => {
    const r = new Redactor();
    r.add('","cwd');
    const e = new SyncgateError('EXEC_FAILED', 'boom', { details: { argv: 'a', cwd: '/tmp' } });
    expect(printError(e, logger as never, r)).toBe(3);
    expect(logged).toEqual([{ fields: { code: 'EXEC_FAILED', details: { argv: 'a', cwd: '/tmp' } }, msg: 'boom' }]);
  });
});

describe('one line, one code', () => {
  let written = '';
  beforeEach(() => {
    written = '';
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written += String(chunk);
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  test('at the default level (warn) a runtime error prints the coded line once and no JSON log record', () => {
    const logger = createLogger({ level: 'warn', destination: { write: (s: string) => (written += s) } });
    const e = new SyncgateError('RENDER_HELM_FAILED', 'helm template: exit 1: parse error', { details: { argv: 'helm template', exitCode: 1 } });
    expect(printError(e, logger)).toBe(3);
    expect(written).toBe('RENDER_HELM_FAILED: helm template: exit 1: parse error\n');
  });

  test('--log-level debug adds the details as one JSON record', () => {
    const logger = createLogger({ level: 'debug', destination: { write: (s: string) => (written += s) } });
    printError(new SyncgateError('EXEC_FAILED', 'boom', { details: { exitCode: 1 } }), logger);
    const lines = written.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines.find((l) => l.startsWith('{')) ?? '')).toMatchObject({ level: 20, code: 'EXEC_FAILED', details: { exitCode: 1 }, msg: 'boom' });
    expect(lines).toContain('EXEC_FAILED: boom');
  });

  test.each([
    ["error: unknown option '--bogus'\n", 'syncgate render', "USAGE_INVALID: unknown option '--bogus': see `syncgate render --help`\n"],
    ["error: unknown option '--ap'\n(Did you mean --app?)\n", 'syncgate render', "USAGE_INVALID: unknown option '--ap' (Did you mean --app?): see `syncgate render --help`\n"],
    ["error: missing required argument 'path'\n", 'syncgate scan', "USAGE_INVALID: missing required argument 'path': see `syncgate scan --help`\n"],
  ])('commander usage error %j becomes one coded line', (text, cmd, line) => {
    expect(usageLine(text, cmd)).toBe(line);
  });
});
