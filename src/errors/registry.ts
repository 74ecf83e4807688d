import { coreCodes } from './codes/core.js';
import type { CodeSpec } from './codes/types.js';

// Each domain keeps its codes in src/errors/codes/<domain>.ts; this is the one registry.
// docs/errors.md is generated from it (`syncgate docs`) and a unit test fails on drift.
export const CODES = {
  ...coreCodes,
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof CODES;
