import { jest } from '@jest/globals';
import { printError } from '../../../src/cli/output.js';
import { SyncgateError } from '../../../src/errors/index.js';
import { Redactor } from '../../../src/log/index.js';

describe('printError', () => {
  const logged: unknown[] = [];
  const logger = { error: (fields: unknown, msg: string) => logged.push({ fields, msg }) };
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
