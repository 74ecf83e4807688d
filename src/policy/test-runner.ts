import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import * as z from 'zod';
import { parseConfig, type GateConfig } from '../config/index.js';
import { SyncgateError } from '../errors/index.js';
import { scanSync } from './engine.js';
import { readManifests } from './read-manifests.js';
import { activePolicies } from './registry.js';
import { effectiveIdentity } from './scope.js';
import type { Finding } from './types.js';

// Policy unit tests in the style of `kyverno test`: a `syncgate-test.yaml` names resources,
// policies (ValidatingAdmissionPolicy files added to the config's custom policies), exceptions
// (GateConfig exception entries) and the result expected per policy and resource. The resources
// are scanned with the same engine as every door; each expectation passes or fails on its own.

/** The file name `syncgate test <dir>` looks for, recursively. */
export const TEST_FILE = 'syncgate-test.yaml';

const resultKind = z.enum(['pass', 'fail', 'warn', 'skip']);

const testSchema = z
  .object({
    apiVersion: z.literal('syncgate.dev/v1alpha1'),
    kind: z.literal('Test'),
    metadata: z.object({ name: z.string().min(1) }).loose(),
    /** A GateConfig file (relative to the test file); default: the built-in defaults. */
    config: z.string().min(1).optional(),
    /** ValidatingAdmissionPolicy files or directories, added to spec.policies.custom. */
    policies: z.array(z.string().min(1)).default([]),
    /** Manifest files or directories under test. */
    resources: z.array(z.string().min(1)).min(1),
    /** GateConfig spec.exceptions entries, added to the config's. */
    exceptions: z.array(z.unknown()).default([]),
    /** Destination namespace for resources without one. */
    namespace: z.string().default(''),
    results: z
      .array(
        z
          .object({
            policy: z.string().min(1),
            /** `Kind/namespace/name`, `Kind/name` (cluster-scoped) or a bare name (with `kind`). */
            resources: z.array(z.string().min(1)).min(1),
            kind: z.string().min(1).optional(),
            result: resultKind,
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** What a (policy, resource) pair came to: the expected outcome words of `kyverno test`. */
export type Outcome = z.infer<typeof resultKind>;

/** One checked expectation. */
export interface ExpectationResult {
  policy: string;
  resource: string;
  want: Outcome;
  got: Outcome | 'missing';
  ok: boolean;
  /** Why `got` is what it is: the findings (path — message), or what was not found. */
  detail: string[];
}

/** One test file's run. */
export interface TestFileResult {
  name: string;
  /** The test file, relative to the directory given. */
  file: string;
  results: ExpectationResult[];
}

function invalid(file: string, message: string): SyncgateError {
  return new SyncgateError('POLICY_TEST_INVALID', `${file}: ${message}`);
}

/** The test files under `dir` (or `dir` itself when it is one), in name order. */
export function findTestFiles(dir: string): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    throw invalid(dir, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (st.isFile()) return [dir];
  const out: string[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name === TEST_FILE) out.push(p);
    }
  };
  walk(dir);
  if (out.length === 0) throw invalid(dir, `no ${TEST_FILE} found`);
  return out;
}

function configFor(file: string, spec: z.infer<typeof testSchema>): GateConfig {
  const base = dirname(file);
  let raw: Record<string, unknown> = { apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig' };
  if (spec.config !== undefined) {
    const path = resolve(base, spec.config);
    try {
      raw = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw invalid(file, `config ${spec.config}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof raw !== 'object' || raw === null) throw invalid(file, `config ${spec.config}: not a GateConfig`);
  }
  const rawSpec = (raw['spec'] ?? {}) as Record<string, unknown>;
  const policies = (rawSpec['policies'] ?? {}) as Record<string, unknown>;
  const custom = [...((policies['custom'] as string[] | undefined) ?? []).map((p) => resolve(base, p)), ...spec.policies.map((p) => resolve(base, p))];
  const exceptions = [...((rawSpec['exceptions'] as unknown[] | undefined) ?? []), ...spec.exceptions];
  try {
    const config = parseConfig({ ...raw, spec: { ...rawSpec, policies: { ...policies, custom }, exceptions } }, file);
    activePolicies(config); // compiles the custom policies now, so a broken one names this test file
    return config;
  } catch (e) {
    // CONFIG_INVALID (a policy that does not compile, a bad exception) is this test file's problem.
    throw invalid(file, e instanceof Error ? e.message : String(e));
  }
}

function outcomeOf(findings: readonly Finding[]): Outcome {
  if (findings.length === 0) return 'pass';
  const live = findings.filter((f) => !f.waived);
  if (live.length === 0) return 'skip';
  return live.some((f) => f.mode === 'enforce') ? 'fail' : 'warn';
}

/** Runs one test file; `root` only shortens the file name in the result. */
export async function runTestFile(file: string, root: string, now = new Date()): Promise<TestFileResult> {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw invalid(file, e instanceof Error ? e.message : String(e));
  }
  const parsed = testSchema.safeParse(doc);
  if (!parsed.success) {
    throw invalid(file, parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; '));
  }
  const spec = parsed.data;
  const config = configFor(file, spec);
  const resources = [];
  for (const p of spec.resources) {
    try {
      resources.push(...(await readManifests(resolve(dirname(file), p), { bytes: config.spec.limits.manifestBytes, resources: config.spec.limits.resources })).resources);
    } catch (e) {
      throw invalid(file, `resources ${p}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const context = { appName: spec.metadata.name, namespace: spec.namespace, project: 'default', repoURL: '', sourcePath: '', revision: '', kubeVersion: '', apiVersions: [] };
  const scan = scanSync({ resources, config, context, scope: 'app', now });
  const active = new Set(activePolicies(config).map((a) => a.policy.id));
  const ids = resources.map((r) => ({ id: effectiveIdentity(r.object, spec.namespace), kind: r.object.kind, name: r.object.metadata.name }));
  const results: ExpectationResult[] = [];
  for (const want of spec.results) {
    for (const ref of want.resources) {
      const matches = ref.includes('/')
        ? ids.filter((o) => o.id === ref || `${o.kind}/${o.name}` === ref)
        : ids.filter((o) => o.name === ref && (want.kind === undefined || o.kind === want.kind));
      const label = ref.includes('/') || want.kind === undefined ? ref : `${want.kind}/${ref}`;
      if (!active.has(want.policy)) {
        results.push({ policy: want.policy, resource: label, want: want.result, got: 'missing', ok: false, detail: [`policy ${want.policy} does not run under this test's config (not in its packs or policies, or disabled)`] });
        continue;
      }
      if (matches.length !== 1) {
        results.push({
          policy: want.policy, resource: label, want: want.result, got: 'missing', ok: false,
          detail: [matches.length === 0 ? `no resource ${label} in the test's resources` : `${label} names ${matches.length} resources (${matches.map((m) => m.id).join(', ')}): give Kind/namespace/name`],
        });
        continue;
      }
      const id = matches[0]?.id ?? '';
      const mine = scan.findings.filter((f) => f.policy === want.policy && f.object === id);
      const got = outcomeOf(mine);
      results.push({
        policy: want.policy, resource: id, want: want.result, got, ok: got === want.result,
        detail: mine.map((f) => `${f.waived ? `waived (${f.waived.reason})` : f.mode}: ${f.path} — ${f.message}`),
      });
    }
  }
  return { name: spec.metadata.name, file: relative(root, file) || file, results };
}
