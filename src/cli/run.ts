import { COMMANDS, commandName } from './commands.js';
import { printError } from './print-error.js';
import { createRoot } from './root.js';

/** Runs one command line (`process.argv` shape); sets process.exitCode, never throws. */
export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    const name = commandName(argv.slice(2));
    const load = name === undefined ? undefined : COMMANDS[name];
    let program;
    if (load === undefined) {
      // help, --version or an unknown command: the whole program, so commander can list and suggest.
      // --version alone needs no command at all.
      const bare = argv.slice(2);
      program = bare.length === 1 && (bare[0] === '--version' || bare[0] === '-V') ? createRoot() : (await import('./program.js')).buildProgram();
    } else {
      program = createRoot(`syncgate ${name ?? ''}`);
      (await load())(program);
    }
    await program.parseAsync([...argv]);
  } catch (e) {
    process.exitCode = printError(e);
  }
}
