// Flux parity by construction: for every Kustomization field and directory rule (one case each under
// test/fixtures/flux/parity/cases), syncgate's scanned objects and its artifact are compared with
// what kustomize-controller applies. The expected.json files are written by
// test/fixtures/flux/parity/gen (fluxcd/pkg's own generator and SubstituteVariables, the real
// kustomize and sops binaries; never syncgate), see docs/flux.md for how to regenerate them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, type GateConfig } from '../../../src/config/index.js';
import { isSyncgateError } from '../../../src/errors/index.js';
import { fluxBuild, loadKustomization, readVariableSources, type FluxBuildResult } from '../../../src/flux/index.js';
import { silentLogger } from '../../../src/log/index.js';

const CASES = join(process.cwd(), 'test/fixtures/flux/parity/cases');
const KEY = join(process.cwd(), 'examples/flux/demo-age-key.TEST-ONLY.txt');

interface Expected {
  build?: unknown[];
  applied?: unknown[];
  kustomization?: Record<string, unknown>;
  error?: string;
}

// Policies off: the comparison is about what is built, and a refusal would hide the artifact.
const config: GateConfig = parseConfig({
  apiVersion: 'syncgate.dev/v1alpha1',
  kind: 'GateConfig',
  spec: {
    policies: { packs: [] },
    keys: [{ name: 'parity', ageIdentityFile: KEY, grants: { namespaces: ['team-a'], fluxKustomizations: ['flux-system/apps'] } }],
  },
});

/** The field or directory rule each case pins (the table in docs/flux.md). */
const TABLE: Record<string, string> = {
  'field-target-namespace': 'spec.targetNamespace: kustomize namespace transformer (Namespace object renamed, RoleBinding/ClusterRoleBinding subjects)',
  'field-name-prefix': 'spec.namePrefix (references follow)',
  'field-name-suffix': 'spec.nameSuffix (references follow)',
  'field-patches-strategic-merge': 'spec.patches: strategic merge patch with a target',
  'field-patches-json6902': 'spec.patches: JSON 6902 patches, targets by group/version/kind/name and empty labelSelector',
  'field-legacy-patches': 'v1beta2 spec.patchesStrategicMerge and spec.patchesJson6902 (the generator still merges them)',
  'field-images': 'spec.images: newName/newTag, digest merged into the kustomization entry of the same name',
  'field-components': 'spec.components + spec.ignoreMissingComponents',
  'field-common-metadata': 'spec.commonMetadata labels and annotations (after the build, over the object\'s own)',
  'field-postbuild': 'spec.postBuild: substitute wins over substituteFrom, optional source, $${} escape, := default, substitute: disabled',
  'field-postbuild-quoted': 'spec.postBuild: quotes around ${VAR} in the source do not survive (Flux re-serialises first): "${PORT}" with 8080 is a number',
  'field-postbuild-always': 'spec.postBuild.substituteStrategy: Always (no variables, defaults still expand)',
  'field-build-metadata': 'spec.buildMetadata',
  'field-cluster-side-only': 'fields that do not change the build (interval, prune, wait, force, healthChecks, dependsOn, kubeConfig, …): accepted',
  'sops-secret-manifest': 'spec.decryption: a SOPS-encrypted Secret manifest',
  'sops-generator-files': 'spec.decryption: secretGenerator files: from a SOPS-encrypted file (Flux\'s name hash)',
  'sops-generator-envs': 'spec.decryption: secretGenerator envs: from a SOPS-encrypted dotenv (Flux\'s name hash)',
  'dir-generated-hidden': 'no kustomization.yaml: hidden directories and subdirectories are walked',
  'dir-generated-extensions': 'no kustomization.yaml: only .yaml/.yml (not .json, not .YAML)',
  'dir-generated-subkustomization': 'no kustomization.yaml: a subdirectory with its own kustomization is one resource',
  'dir-generated-empty': 'no kustomization.yaml and no manifest: namespace _placeholder, nothing built',
  'dir-kustomization-no-resources': 'a kustomization without resources gets buildMetadata: [originAnnotations]',
  'dir-kustomization-unknown-field': 'a kustomization field kustomize does not know is dropped',
  'load-restrictor-none': 'a resource and a patch file outside the kustomization dir (LoadRestrictionsNone, inside the source root)',
  'spec-path-absolute': 'spec.path with a leading / is the source root (SecureJoin)',
};

const cases = readdirSync(CASES).sort();

test('every case is in the table and every table row has a case', () => {
  expect(cases).toEqual(Object.keys(TABLE).sort());
});

async function build(name: string): Promise<FluxBuildResult> {
  const dir = join(CASES, name);
  const cluster = join(dir, 'cluster.yaml');
  return fluxBuild({
    kustomization: await loadKustomization(join(dir, 'ks.yaml')),
    repoRoot: join(dir, 'repo'),
    sources: existsSync(cluster) ? await readVariableSources([cluster]) : [],
    config,
    logger: silentLogger(),
  });
}

describe.each(cases)('%s', (name) => {
  const expected = JSON.parse(readFileSync(join(CASES, name, 'expected.json'), 'utf8')) as Expected;

  test(`${TABLE[name] ?? '?'}: scanned objects = what kustomize-controller applies; artifact = its build`, async () => {
    if (expected.error !== undefined) {
      const e: unknown = await build(name).then(() => undefined, (err: unknown) => err);
      expect(isSyncgateError(e)).toBe(true);
      return;
    }
    const r = await build(name);
    expect(r.gate.resources.map((x) => x.object)).toEqual(expected.applied ?? []);
    if (name === 'sops-generator-envs') {
      // kustomize splits a dotenv into keys: no encrypted form to ship, so only writing is refused.
      expect(r.outputError?.code).toBe('FLUX_OUTPUT_UNSAFE');
      expect(r.output).toEqual([]);
    } else {
      expect(r.output).toEqual(expected.build ?? []);
    }
    // No plaintext of the SOPS fixtures in the artifact or the report.
    const decoded = r.output.flatMap((o) => Object.values((o['data'] ?? {}) as Record<string, string>).map((v) => Buffer.from(v, 'base64').toString('utf8')));
    const shipped = [JSON.stringify(r.output), ...decoded, r.gate.decision.report, r.gate.decision.summary, r.outputError?.message ?? ''].join('\n');
    for (const plain of ['parity-db-password-77', 'parity-file-token-88', 'parity-env-secret-99']) expect(shipped).not.toContain(plain);
    // The generated kustomization lists what Flux's generator lists.
    const k = expected.kustomization ?? {};
    for (const field of ['resources', 'namespace', 'namePrefix', 'nameSuffix', 'components', 'buildMetadata']) {
      expect([field, r.kustomization.content[field]]).toEqual([field, k[field]]);
    }
  });
});
