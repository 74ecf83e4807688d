import type { Command } from 'commander';
import { durationProblem, loadConfig, parseDuration, type GateConfig } from '../config/index.js';
import { SyncgateError } from '../errors/index.js';
import { createLogger, type Logger } from '../log/index.js';

/** Flags every command shares; each has an env var (README config table). */
export interface GlobalOptions {
  config?: string;
  logLevel: string;
}

/** Loads what every command needs from the global flags. */
export function loadGlobals(cmd: Command): { config: GateConfig; logger: Logger; globals: GlobalOptions } {
  const globals = cmd.optsWithGlobals<GlobalOptions>();
  const logger = createLogger({ level: globals.logLevel });
  return { config: loadConfig(globals.config), logger, globals };
}

/** Collects repeatable `k=v` flags into a record. */
export function collectKeyValue(value: string, prev: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new SyncgateError('USAGE_INVALID', `expected key=value, got ${JSON.stringify(value)}`);
  return { ...prev, [value.slice(0, i)]: value.slice(i + 1) };
}

/** A duration flag (`10s`, `500ms`) in milliseconds; a bare number is refused with the hint, as in the GateConfig. */
export function durationFlag(flag: string, value: string, maxMs: number): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new SyncgateError('USAGE_INVALID', `${flag}: ${durationProblem(value)}`);
  if (ms > maxMs) throw new SyncgateError('USAGE_INVALID', `${flag} ${value}: at most ${String(maxMs / 1000)}s`);
  return ms;
}

/** Collects a repeatable flag into an array. */
export function collectList(value: string, prev: string[] = []): string[] {
  return [...prev, value];
}
