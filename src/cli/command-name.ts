/** Global flags that take a value (so the word after them is not the command name). */
const VALUE_FLAGS = new Set(['-c', '--config', '--log-level']);

/**
 * The subcommand named on a command line (`argv` without node and the script), or undefined
 * when there is none before the first unknown flag, `--help` or `--version`.
 */
export function commandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (VALUE_FLAGS.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('--config=') || a.startsWith('--log-level=') || (a.startsWith('-c') && a.length > 2 && !a.startsWith('--'))) continue;
    if (a.startsWith('-')) return undefined;
    return a;
  }
  return undefined;
}
