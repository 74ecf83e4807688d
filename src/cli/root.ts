import { Command, Option } from 'commander';
import { usageLine } from './print-error.js';
import { packageVersion } from './version.js';

/**
 * The `syncgate` root command without any subcommand: name, version, the global flags and how
 * usage errors print (one coded line pointing at `<helpFor> --help`, never the whole help). Kept free of the
 * pipeline's imports, so `--version` and the start-up of every command stay cheap.
 */
export function createRoot(helpFor = 'syncgate'): Command {
  const program = new Command('syncgate')
    .description('render, decrypt and policy-gate Kubernetes manifests between Git and the cluster')
    .version(packageVersion(), '-V, --version', 'print the version')
    .configureOutput({ outputError: (text, write) => write(usageLine(text, helpFor)) })
    .exitOverride((err) => {
      // help and --version exit 0; commander usage errors are exit code 2, like every usage/config error
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
  program
    .addOption(new Option('-c, --config <file>', 'platform GateConfig file').env('SYNCGATE_CONFIG'))
    .addOption(
      new Option('--log-level <level>', 'log level (JSON logs on stderr)')
        .env('SYNCGATE_LOG_LEVEL')
        .choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
        .default('warn'),
    );
  return program;
}
