// flux build with the real kustomize, sops-encrypted inputs (real sops, a key made at test time)
// and the in-process SOPS stage: kustomize-controller's order of operations, end to end.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseConfig, type GateConfig } from '../../../src/config/index.js';
import { isSyncgateError } from '../../../src/errors/index.js';
import { resolveTool } from '../../../src/exec/index.js';
import {
  fluxBuild,
  loadKustomization,
  readVariableSources,
  writeOutput,
  type FluxKustomization,
} from '../../../src/flux/index.js';
import { toYamlStream, type K8sObject } from '../../../src/k8s/index.js';
import { Redactor, silentLogger } from '../../../src/log/index.js';

const ROOT = process.cwd();
let dir: string;
let keyFile: string;

function tool(name: 'sops' | 'age-keygen'): string {
  const t = resolveTool(name);
  if (!t) throw new Error(`${name} not installed (run scripts/tools.sh)`);
  return t;
}

function encrypt(src: string, dst: string, recipient: string): void {
  const out = execFileSync(tool('sops'), ['--encrypt', '--encrypted-regex', '^(data|stringData)$', '--age', recipient, '--input-type', 'yaml', '--output-type', 'yaml', src], {
    env: { PATH: process.env['PATH'] ?? '' },
  });
  writeFileSync(dst, out);
}

function config(keyPath: string, tenants: string[] = ['flux-system/team-b', 'flux-system/team-a'], namespaces = ['team-a', 'team-b']): GateConfig {
  return parseConfig({
    apiVersion: 'syncgate.dev/v1alpha1',
    kind: 'GateConfig',
    spec: { keys: [{ name: 'tenant-key', ageIdentityFile: keyPath, grants: { namespaces, fluxKustomizations: tenants } }] },
  });
}

const find = (objs: readonly K8sObject[], kind: string, name: string): any => objs.find((o) => o.kind === kind && o.metadata.name === name);

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isSyncgateError(e) ? `${e.code}: ${e.message}` : String(e);
  }
  return 'no error';
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncgate-flux-build-'));
  keyFile = join(dir, 'key.txt');
  execFileSync(tool('age-keygen'), ['-o', keyFile], { stdio: 'pipe' });
  const recipient = /public key: (age1\w+)/.exec(readFileSync(keyFile, 'utf8'))![1]!;
  cpSync(join(ROOT, 'test/fixtures/flux/order'), join(dir, 'order'), { recursive: true });
  encrypt(join(dir, 'order/secret.plain.yaml'), join(dir, 'order/app/secret.sops.yaml'), recipient);
  encrypt(join(dir, 'order/vars-secret.plain.yaml'), join(dir, 'order/vars-secret.sops.yaml'), recipient);
  encrypt(join(dir, 'order/optout.plain.yaml'), join(dir, 'order/app/optout.sops.yaml'), recipient);
  for (const f of ['secret.plain.yaml', 'vars-secret.plain.yaml', 'optout.plain.yaml']) rmSync(join(dir, 'order', f));
  cpSync(join(ROOT, 'test/fixtures/flux/generator'), join(dir, 'generator'), { recursive: true });
  encrypt(join(dir, 'generator/token.plain.yaml'), join(dir, 'generator/files/token.sops.yaml'), recipient);
  writeFileSync(
    join(dir, 'generator/envs/app.sops.env'),
    execFileSync(tool('sops'), ['--encrypt', '--age', recipient, '--input-type', 'dotenv', '--output-type', 'dotenv', join(dir, 'generator/app.plain.env')], {
      env: { PATH: process.env['PATH'] ?? '' },
    }),
  );
  for (const f of ['token.plain.yaml', 'app.plain.env']) rmSync(join(dir, 'generator', f));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function buildOrder(over: Partial<FluxKustomization> = {}, cfg?: GateConfig, redactor = new Redactor()) {
  const root = join(dir, 'order');
  const ks = { ...(await loadKustomization(join(root, 'ks.yaml'))), ...over };
  return fluxBuild({
    kustomization: ks,
    appDir: resolve(root, ks.path),
    repoRoot: root,
    sources: await readVariableSources([join(root, 'vars-secret.sops.yaml')]),
    config: cfg ?? config(keyFile),
    logger: silentLogger(),
    redactor,
  });
}

describe('order of operations (kustomize-controller): decrypt, then substitute, then scan', () => {
  test('a substituted value inside a decrypted Secret, and variables from a SOPS-encrypted substituteFrom Secret', async () => {
    const redactor = new Redactor();
    const r = await buildOrder({}, undefined, redactor);
    const objs = r.gate.resources.map((x) => x.object);
    // The Secret was decrypted first, then ${DB_HOST} substituted inside its value.
    expect(find(objs, 'Secret', 'db').stringData.url).toBe('postgres://app:order-test-pw-31337@db.team-b.svc:5432/app');
    expect(find(objs, 'Secret', 'db').sops).toBeUndefined();
    // Variables from the encrypted substituteFrom Secret (decrypted with the tenant's key).
    expect(find(objs, 'ConfigMap', 'settings').data).toEqual({ endpoint: 'https://api.internal.example/v1', token_hint: 'sk-live-vars-9988' });
    // substitute: disabled is left alone, even with an unset variable in strict mode.
    expect(find(objs, 'ConfigMap', 'raw-template').data.script).toBe('echo ${NOT_SET_ANYWHERE}');
    // kustomize.toolkit.fluxcd.io/decrypt: Disabled → Flux applies it encrypted, so that is what is judged.
    expect(find(objs, 'ConfigMap', 'opted-out').data.blob).toMatch(/^ENC\[AES256_GCM,/);
    expect(find(objs, 'ConfigMap', 'opted-out').sops).toBeDefined();
    // Secret-derived values are masked in anything the doors print.
    expect(redactor.mask('token sk-live-vars-9988 url postgres://app:order-test-pw-31337@db.team-b.svc:5432/app')).toBe(
      'token ***** url *****',
    );

    // What Flux syncs: the build with the Secret still encrypted, variables not yet substituted.
    const text = toYamlStream(r.output);
    expect(find(r.output, 'Secret', 'db').sops).toBeDefined();
    expect(find(r.output, 'Secret', 'db').stringData.url).toMatch(/^ENC\[AES256_GCM,/);
    expect(find(r.output, 'ConfigMap', 'settings').data.endpoint).toBe('https://${API_HOST}/v1');
    for (const plain of ['order-test-pw-31337', 'sk-live-vars-9988', 'api.internal.example']) expect(text).not.toContain(plain);
  });

  test('strict mode: an unset variable refuses the build naming the variable and the object', async () => {
    expect(await errorOf(buildOrder({ postBuild: { substitute: {}, substituteFrom: [], strategy: 'WithVariables' } }))).toBe(
      'no error',
    );
    const msg = await errorOf(buildOrder({ postBuild: { substitute: { OTHER: 'x' }, substituteFrom: [], strategy: 'WithVariables' } }));
    expect(msg).toMatch(/^FLUX_SUBSTITUTE_FAILED: (ConfigMap\/team-b\/settings|Secret\/team-b\/db): post build failed: variable not set \(strict mode\): "(API_HOST|DB_HOST)"$/);
    expect(msg).not.toContain('order-test-pw-31337');
  });

  test('keys come from the platform grants on <namespace>/<name>: another tenant cannot decrypt', async () => {
    const msg = await errorOf(buildOrder({ name: 'intruder' }));
    expect(msg).toMatch(/^SOPS_KEY_NOT_GRANTED: /);
    expect(msg).not.toContain('order-test-pw-31337');
  });

  test('a Kustomization without spec.decryption cannot ship a SOPS Secret (Flux refuses it too)', async () => {
    const msg = await errorOf(buildOrder({ decryption: false }));
    expect(msg).toBe('FLUX_SECRET_ENCRYPTED: Secret/team-b/db: is SOPS-encrypted but the Kustomization has no spec.decryption');
  });

  test('a missing non-optional substituteFrom source is refused before anything renders', async () => {
    const root = join(dir, 'order');
    const ks = await loadKustomization(join(root, 'ks.yaml'));
    const msg = await errorOf(
      fluxBuild({ kustomization: ks, appDir: join(root, 'app'), repoRoot: root, sources: [], config: config(keyFile), logger: silentLogger() }),
    );
    expect(msg).toBe("FLUX_SUBSTITUTE_FROM_MISSING: substitute from 'Secret/api-vars' error: not found (pass it with --substitute-from)");
  });
});

describe('secretGenerator inputs encrypted with SOPS', () => {
  const tenant: FluxKustomization = { name: 'team-b', namespace: 'flux-system', path: '.', targetNamespace: 'team-b', decryption: true };
  const build = (sub: string) =>
    fluxBuild({ kustomization: tenant, appDir: join(dir, 'generator', sub), repoRoot: join(dir, 'generator'), sources: [], config: config(keyFile), logger: silentLogger() });

  test('files: scanned decrypted; the output keeps the generated Secret encrypted and the references follow its name', async () => {
    const r = await build('files');
    expect(r.gate.scan.findings.filter((f) => f.mode === 'enforce').map((f) => `${f.object} ${f.policy}`)).toEqual([]);
    expect(r.gate.decision.refused).toBe(false);
    const scannedSecret = r.gate.resources.map((x) => x.object).find((o) => o.kind === 'Secret')!;
    expect(Buffer.from((scannedSecret['data'] as Record<string, string>)['token.sops.yaml']!, 'base64').toString()).toContain('gen-file-secret-4242');
    const secret = r.output.find((o) => o.kind === 'Secret')!;
    const dep = r.output.find((o) => o.kind === 'Deployment') as any;
    expect(secret.metadata.name).toMatch(/^api-[a-z0-9]{10}$/);
    expect(dep.spec.template.spec.volumes[0].secret.secretName).toBe(secret.metadata.name);
    const text = toYamlStream(r.output);
    expect(Buffer.from((secret['data'] as Record<string, string>)['token.sops.yaml']!, 'base64').toString()).toContain('sops:');
    expect(text).not.toContain('gen-file-secret-4242');
    expect(text).not.toContain(Buffer.from('gen-file-secret-4242').toString('base64'));
  });

  test('a plaintext Secret that merely quotes a SOPS marker is still a plaintext Secret', async () => {
    const d = join(dir, 'generator', 'fake');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'kustomization.yaml'), 'resources: [secret.yaml]\n');
    const value = Buffer.from('hunter2-bypass\nsops_mac=ENC[AES256_GCM,data:x]\n').toString('base64');
    writeFileSync(join(d, 'secret.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: fake, namespace: team-b}\ndata: {env: ${value}}\n`);
    const r = await build('fake');
    expect(r.gate.decision.refused).toBe(true);
    expect(r.gate.scan.findings.map((f) => `${f.object} ${f.policy}`)).toContain('Secret/team-b/fake secrets/plaintext-secret');
  });

  test('envs: built and scanned decrypted as Flux applies it; only writing it is refused (kustomize splits the dotenv)', async () => {
    const r = await build('envs');
    const secret = r.gate.resources.map((x) => x.object).find((o) => o.kind === 'Secret')!;
    expect(secret.metadata.name).toMatch(/^app-env-[a-z0-9]{10}$/);
    expect(Buffer.from((secret['data'] as Record<string, string>)['PASSWORD']!, 'base64').toString()).toBe('gen-env-secret-5353');
    expect(r.output).toEqual([]);
    const msg = `${r.outputError?.code}: ${r.outputError?.message}`;
    expect(msg).toMatch(/^FLUX_OUTPUT_UNSAFE: Secret\/team-b\/app-env-[a-z0-9]{10}: decryption changed an object that is not SOPS-encrypted in the build/);
    expect(msg).not.toContain('gen-env-secret-5353');
  });
});

describe('the bundled example (examples/flux)', () => {
  const exampleConfig = (): GateConfig => config(join(ROOT, 'examples/flux/demo-age-key.TEST-ONLY.txt'), ['flux-system/team-a'], ['team-a']);

  async function buildExample(manifest: string) {
    const ks = await loadKustomization(join(ROOT, 'examples/flux', manifest));
    return fluxBuild({
      kustomization: ks,
      appDir: resolve(ROOT, ks.path),
      repoRoot: ROOT,
      sources: await readVariableSources([join(ROOT, 'examples/flux/cluster-vars.yaml')]),
      config: exampleConfig(),
      logger: silentLogger(),
    });
  }

  test('compliant: scanned decrypted and substituted, output keeps the Secret encrypted (dir and .tgz)', async () => {
    const r = await buildExample('flux-kustomization.yaml');
    expect(r.gate.decision.refused).toBe(false);
    const scanned = r.gate.resources.map((x) => x.object);
    const dep = find(scanned, 'Deployment', 'web');
    expect(dep.spec.replicas).toBe(2);
    expect(dep.spec.template.spec.containers[0].image).toBe('ghcr.io/example/web:1.4.3'); // inline wins over substituteFrom
    expect(dep.spec.template.spec.containers[0].env).toEqual([
      { name: 'CLUSTER', value: 'prod-eu-1' },
      { name: 'PRICE_LABEL', value: '${NOT_A_VARIABLE}' },
    ]);
    expect(find(scanned, 'Secret', 'db').stringData.DATABASE_URL).toBe('postgres://app:demo-db-password-42@db.team-a.svc:5432/app');

    const outDir = join(dir, 'out');
    await writeOutput(r.output, outDir);
    expect(readdirSync(outDir)).toEqual(['manifests.yaml']);
    const written = readFileSync(join(outDir, 'manifests.yaml'), 'utf8');
    expect(written).toContain('ENC[AES256_GCM,');
    expect(written).not.toContain('demo-db-password-42');
    expect(written).toContain('image: ghcr.io/example/web:${IMAGE_TAG}');

    const tgz = join(dir, 'out.tgz');
    await writeOutput(r.output, tgz);
    const tar = gunzipSync(readFileSync(tgz));
    expect(tar.subarray(0, 14).toString('utf8')).toBe('manifests.yaml');
    expect(tar.toString('utf8')).toContain(written);
    expect(await errorOf(writeOutput(r.output, outDir))).toBe(`FLUX_OUTPUT_FAILED: ${outDir}: output directory is not empty`);
  });

  test('non-compliant variant: refused with the findings, nothing to write', async () => {
    const r = await buildExample('flux-kustomization-noncompliant.yaml');
    expect(r.gate.decision.refused).toBe(true);
    expect(r.output).toEqual([]);
    const policies = r.gate.scan.findings.filter((f) => f.mode === 'enforce').map((f) => `${f.object} ${f.policy}`);
    expect(policies).toEqual(expect.arrayContaining(['Deployment/team-a/web pss-baseline/privileged', 'Deployment/team-a/web pss-baseline/host-namespaces']));
    expect(r.gate.decision.report).not.toContain('demo-db-password-42');
  });
});

describe('one kustomize build unless encrypted generator inputs need a second', () => {
  // A wrapper around the real kustomize (the platform override SYNCGATE_KUSTOMIZE) that counts runs.
  let count: string;
  let saved: string | undefined;
  beforeAll(() => {
    const real = resolveTool('kustomize');
    if (!real) throw new Error('kustomize not installed (run scripts/tools.sh)');
    count = join(dir, 'kustomize-runs');
    const wrapper = join(dir, 'kustomize-counting');
    writeFileSync(wrapper, `#!/bin/sh\necho run >> '${count}'\nexec '${real}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    saved = process.env['SYNCGATE_KUSTOMIZE'];
    process.env['SYNCGATE_KUSTOMIZE'] = wrapper;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env['SYNCGATE_KUSTOMIZE'];
    else process.env['SYNCGATE_KUSTOMIZE'] = saved;
  });
  const runs = (): number => (existsSync(count) ? readFileSync(count, 'utf8').split('\n').filter(Boolean).length : 0);

  test('the bundled example (SOPS Secret manifests, no encrypted generator input): one build, output still encrypted', async () => {
    rmSync(count, { force: true });
    const ks = await loadKustomization(join(ROOT, 'examples/flux', 'flux-kustomization.yaml'));
    const r = await fluxBuild({
      kustomization: ks,
      appDir: resolve(ROOT, ks.path),
      repoRoot: ROOT,
      sources: await readVariableSources([join(ROOT, 'examples/flux/cluster-vars.yaml')]),
      config: config(join(ROOT, 'examples/flux/demo-age-key.TEST-ONLY.txt'), ['flux-system/team-a'], ['team-a']),
      logger: silentLogger(),
    });
    expect(runs()).toBe(1);
    expect(r.gate.decision.refused).toBe(false);
    const text = toYamlStream(r.output);
    expect(text).toContain('ENC[AES256_GCM,');
    expect(text).not.toContain('demo-db-password-42');
  });

  test('SOPS-encrypted secretGenerator files: a second build from the untouched source', async () => {
    rmSync(count, { force: true });
    const tenant: FluxKustomization = { name: 'team-b', namespace: 'flux-system', path: '.', targetNamespace: 'team-b', decryption: true };
    const r = await fluxBuild({ kustomization: tenant, appDir: join(dir, 'generator', 'files'), repoRoot: join(dir, 'generator'), sources: [], config: config(keyFile), logger: silentLogger() });
    expect(runs()).toBe(2);
    expect(toYamlStream(r.output)).not.toContain('gen-file-secret-4242');
  });
});
