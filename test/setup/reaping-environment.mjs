// The test environment of every project: jest's node environment, plus a teardown that kills
// whatever the test file left running. teardown() runs after all of the file's hooks, so a
// well-behaved file has nothing left; a test that timed out before its own `finally`/`afterAll`
// could stop a sidecar, webhook or tool no longer keeps the jest worker (and CI) alive. It also
// applies the project's testTimeout.
import { readdirSync, readFileSync } from 'node:fs';
import { TestEnvironment } from 'jest-environment-node';

/** Live descendants of `root`, read from /proc (Linux), deepest first. */
function descendants(root) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // The state and the ppid follow the parenthesised command (which may hold spaces or ')').
    const [state, ppidField] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z') continue; // exited, not yet reaped by its parent: nothing left running
    const ppid = Number(ppidField);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out = [];
  const walk = (pid) => {
    for (const c of children.get(pid) ?? []) {
      walk(c);
      out.push(c);
    }
  };
  walk(root);
  return out;
}

export default class ReapingEnvironment extends TestEnvironment {
  async teardown() {
    const left = descendants(process.pid);
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (left.length > 0) {
      process.stderr.write(`reap: ${this.testPath ?? 'a test file'} left ${left.length} process(es) running; killed ${left.join(' ')}\n`);
    }
    await super.teardown();
  }

  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
    // jest-circus reads only the global testTimeout; a project's own (jest.config.js) is applied
    // the way jest.setTimeout() does it, through the symbol circus reads at run start.
    const timeout = config.projectConfig.testTimeout;
    if (timeout) this.global[Symbol.for('TEST_TIMEOUT_SYMBOL')] = timeout;
  }
}
