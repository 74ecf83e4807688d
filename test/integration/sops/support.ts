// Test-only helpers for the SOPS tests: the real sops binary (through node:child_process, which
// tests may use) and a GateConfig holding the TEST-ONLY tenant keys.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig, type GateConfig } from '../../../src/config/index.js';

export const FIXTURES = resolve(import.meta.dirname, '../../fixtures/sops');
export const SOPS = resolve(import.meta.dirname, '../../../.tools/bin/sops');
export const keyFile = (tenant: string): string => join(FIXTURES, 'keys', `TEST-ONLY-${tenant}.agekey`);
export const recipientOf = (tenant: string): string => /age1[0-9a-z]+/.exec(readFileSync(keyFile(tenant), 'utf8'))![0];

/** Every TEST-ONLY identity, for running `sops -d` as an unrestricted reference (no key file left behind). */
function allKeys(): string {
  return ['team-a', 'team-b', 'team-c'].map((t) => readFileSync(keyFile(t), 'utf8')).join('\n');
}

function sopsEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '', HOME: tmpdir(), SOPS_AGE_KEY: allKeys() };
}

/** `sops decrypt <file>` with every test key: the reference output. */
export function sopsDecrypt(file: string): Buffer {
  return execFileSync(SOPS, ['decrypt', file], { env: sopsEnv(), maxBuffer: 256 * 1024 * 1024 });
}

/** `sops encrypt` of `file` for the given recipients (and extra creation_rule fields). */
export function sopsEncrypt(file: string, rule: Record<string, unknown>): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'sg-sops-cfg-'));
  try {
    const cfg = join(dir, 'sops.yaml');
    writeFileSync(cfg, JSON.stringify({ creation_rules: [rule] }));
    return execFileSync(SOPS, ['--config', cfg, 'encrypt', file], { env: sopsEnv(), maxBuffer: 256 * 1024 * 1024 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Grants = Partial<GateConfig['spec']['keys'][number]['grants']>;

/** A GateConfig with the TEST-ONLY keys and the given grants (default: team-x project and namespace). */
export function testConfig(grants: Record<string, Grants> = {}, extra: Record<string, unknown> = {}): GateConfig {
  const keys = ['team-a', 'team-b', 'team-c'].map((t) => ({
    name: t,
    ageIdentityFile: keyFile(t),
    grants: { projects: [t], namespaces: [t, `${t}-*`], ...(grants[t] ?? {}) },
  }));
  return parseConfig({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig', spec: { keys, ...extra } });
}

export const AGE_KEYGEN = resolve(import.meta.dirname, '../../../.tools/bin/age-keygen');

/** A tenant key made at test time: a fresh random identity file and its recipient. */
export interface FreshKey {
  name: string;
  file: string;
  recipient: string;
}

/** Creates a fresh random age identity (the real age-keygen) for `name` under `dir`. */
export function freshKey(dir: string, name: string): FreshKey {
  const file = join(dir, `${name}.agekey`);
  execFileSync(AGE_KEYGEN, ['-o', file], { stdio: 'ignore' });
  const recipient = /age1[0-9a-z]+/.exec(readFileSync(file, 'utf8'))![0];
  return { name, file, recipient };
}

/** The real sops with only the given identity files (no other key can help). */
export function sopsWith(keys: readonly FreshKey[], args: string[], opts: { cwd?: string } = {}): Buffer {
  const env = { PATH: process.env['PATH'] ?? '', HOME: tmpdir(), SOPS_AGE_KEY: keys.map((k) => readFileSync(k.file, 'utf8')).join('\n') };
  return execFileSync(SOPS, args, { env, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'], ...(opts.cwd ? { cwd: opts.cwd } : {}) });
}

/** `sops encrypt` of `file` (creation rule fields in `rule`) with the fresh keys as recipients. */
export function sopsEncryptFor(keys: readonly FreshKey[], file: string, rule: Record<string, unknown> = {}): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'sg-sops-cfg-'));
  try {
    const cfg = join(dir, 'sops.yaml');
    writeFileSync(cfg, JSON.stringify({ creation_rules: [{ age: keys.map((k) => k.recipient).join(','), ...rule }] }));
    return sopsWith(keys, ['--config', cfg, 'encrypt', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A GateConfig granting fresh keys: each to the project and namespaces given. */
export function freshConfig(grants: { key: FreshKey; projects: string[]; namespaces: string[]; repos?: string[] }[], extra: Record<string, unknown> = {}): GateConfig {
  const keys = grants.map((g) => ({ name: g.key.name, ageIdentityFile: g.key.file, grants: { projects: g.projects, namespaces: g.namespaces, ...(g.repos ? { repos: g.repos } : {}) } }));
  return parseConfig({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig', spec: { keys, ...extra } });
}
