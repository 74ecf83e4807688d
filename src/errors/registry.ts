import { coreCodes } from './codes/core.js';
import { sopsCodes } from './codes/sops.js';
import { renderCodes } from './codes/render.js';
import { cmpCodes } from './codes/cmp.js';
import { fluxCodes } from './codes/flux.js';
import { policyCodes } from './codes/policy.js';
import type { CodeSpec } from './codes/types.js';

// Each domain keeps its codes in src/errors/codes/<domain>.ts; this is the one registry.
// docs/errors.md is generated from it (`syncgate docs`) and a unit test fails on drift.
export const CODES = {
  ...coreCodes,
  ...sopsCodes,
  ...renderCodes,
  ...cmpCodes,
  ...fluxCodes,
  ...policyCodes,
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof CODES;
