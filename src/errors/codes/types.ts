/** How a code is classified: decides the CLI exit code (2 usage/config, 3 runtime). */
export type ErrorKind = 'usage' | 'config' | 'runtime';

/** One registry entry: the kind and a one-line description for docs/errors.md. */
export interface CodeSpec {
  readonly kind: ErrorKind;
  readonly description: string;
}
