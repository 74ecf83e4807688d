#!/usr/bin/env node
import { buildProgram } from './program.js';
import { printError } from './output.js';
import { installSignalCleanup } from './signals.js';

installSignalCleanup();

buildProgram()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    process.exitCode = printError(e);
  });
