import { readFileSync } from 'node:fs';
import { SyncgateError } from '../errors/index.js';
import type { ScanResult } from './types.js';

// A baseline is an earlier `syncgate scan --format json` report: findings whose fingerprint
// (policy, object identity and field path; never a value) it already lists are known and are
// neither reported nor counted, so a team can adopt a policy pack and fail only on what is new.

/** The fingerprints of the findings of a `scan --format json` report. */
export function readBaseline(path: string): ReadonlySet<string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SyncgateError('POLICY_BASELINE_INVALID', `${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new SyncgateError('POLICY_BASELINE_INVALID', `${path}: not JSON: give the output of syncgate scan --format json`);
  }
  const findings = typeof doc === 'object' && doc !== null ? (doc as { findings?: unknown }).findings : undefined;
  if (!Array.isArray(findings)) throw new SyncgateError('POLICY_BASELINE_INVALID', `${path}: no findings list: give the output of syncgate scan --format json`);
  const out = new Set<string>();
  for (const [i, f] of findings.entries()) {
    const fp = typeof f === 'object' && f !== null ? (f as { fingerprint?: unknown }).fingerprint : undefined;
    if (typeof fp !== 'string' || fp === '') throw new SyncgateError('POLICY_BASELINE_INVALID', `${path}: findings[${i}]: no fingerprint`);
    out.add(fp);
  }
  return out;
}

/** The scan without the findings the baseline knows, and how many were dropped. */
export function applyBaseline(result: ScanResult, known: ReadonlySet<string>): { result: ScanResult; known: number } {
  const findings = result.findings.filter((f) => f.fingerprint === undefined || !known.has(f.fingerprint));
  const dropped = result.findings.length - findings.length;
  const notices = dropped ? [...result.notices, { level: 'info' as const, message: `${dropped} finding${dropped === 1 ? '' : 's'} already in the baseline not reported` }] : result.notices;
  return { result: { ...result, findings, notices }, known: dropped };
}
