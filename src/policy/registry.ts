import type { GateConfig } from '../config/index.js';
import { loadCustomPolicies } from './cel/index.js';
import { anyGlob, globMatch } from './glob.js';
import { decryptedMaterialPolicies } from './packs/decrypted-material.js';
import { hygienePolicies } from './packs/hygiene.js';
import { networkPolicies } from './packs/network.js';
import { pssPolicies } from './packs/pss.js';
import { rbacPolicies } from './packs/rbac.js';
import { secretsPolicies } from './packs/secrets.js';
import { supplyChainPolicies } from './packs/supply-chain.js';
import type { Mode, Policy, Severity } from './types.js';

/** Every built-in policy, by pack, in the order the docs list them. */
export const BUILTIN_POLICIES: readonly Policy[] = [
  ...pssPolicies,
  ...rbacPolicies,
  ...secretsPolicies,
  ...decryptedMaterialPolicies,
  ...supplyChainPolicies,
  ...networkPolicies,
  ...hygienePolicies,
];

const RANK: Readonly<Record<Severity, number>> = { low: 1, medium: 2, high: 3, critical: 4 };

/** A policy that runs under a config, with its resolved mode. */
export interface ActivePolicy {
  readonly policy: Policy;
  readonly mode: Mode;
}

const activeCache = new WeakMap<GateConfig, readonly ActivePolicy[]>();

/** The mode of a policy: its fixed mode, else the most specific `modes` pattern, else the severity threshold. */
export function modeFor(policy: Pick<Policy, 'id' | 'severity' | 'fixedMode'>, config: GateConfig): Mode {
  if (policy.fixedMode) return policy.fixedMode;
  const modes = config.spec.policies.modes;
  const exact = modes[policy.id];
  if (exact) return exact;
  let best: { len: number; mode: Mode } | undefined;
  for (const [pattern, mode] of Object.entries(modes)) {
    if (globMatch(pattern, policy.id) && (!best || pattern.length > best.len)) best = { len: pattern.length, mode };
  }
  if (best) return best.mode;
  return RANK[policy.severity] >= RANK[config.spec.policies.enforce.severityAtLeast] ? 'enforce' : 'warn';
}

/** The policies that run under `config` (enabled packs + custom, minus `disabled`), with their modes; cached per config. */
export function activePolicies(config: GateConfig): readonly ActivePolicy[] {
  let active = activeCache.get(config);
  if (active) return active;
  const packs = new Set<string>(config.spec.policies.packs);
  // The restricted level is the baseline plus the restricted checks (PSA levels are cumulative).
  if (packs.has('pss-restricted')) packs.add('pss-baseline');
  const disabled = config.spec.policies.disabled;
  const custom = loadCustomPolicies(config.spec.policies.custom);
  active = [...BUILTIN_POLICIES.filter((p) => packs.has(p.pack)), ...custom]
    .filter((p) => !anyGlob(disabled, p.id))
    .map((policy) => ({ policy, mode: modeFor(policy, config) }));
  activeCache.set(config, active);
  return active;
}
