// Input of `syncgate scan`: recursive discovery, skipped non-objects, List expansion, symlinks
// not followed, limits as coded errors; and the policy config section's validation.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/index.js';
import { isSyncgateError } from '../../../src/errors/index.js';
import { readManifests } from '../../../src/policy/index.js';

let dir: string;
const big = { bytes: 1 << 20, resources: 100 };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncgate-read-'));
  mkdirSync(join(dir, 'app', 'sub'), { recursive: true });
  mkdirSync(join(dir, 'app', '.git'));
  mkdirSync(join(dir, 'outside'));
  writeFileSync(join(dir, 'app', 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n');
  writeFileSync(join(dir, 'app', 'sub', 'k.yml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n');
  writeFileSync(join(dir, 'app', 'sub', 'd.json'), '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"d"}}');
  writeFileSync(join(dir, 'app', 'README.md'), '# not a manifest');
  writeFileSync(join(dir, 'app', '.git', 'x.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hidden}\n');
  writeFileSync(join(dir, 'outside', 'o.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside}\n');
  symlinkSync(join(dir, 'outside', 'o.yaml'), join(dir, 'app', 'link.yaml'));
  symlinkSync(join(dir, 'outside'), join(dir, 'app', 'linkdir'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readManifests', () => {
  test('walks *.yaml, *.yml, *.json recursively; skips hidden dirs, symlinks and non-objects', async () => {
    const set = await readManifests(join(dir, 'app'), big);
    expect(set.resources.map((r) => r.object.metadata.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(set.notices.map((n) => n.message)).toEqual([expect.stringMatching(/sub\/k\.yml: document 1: not a Kubernetes object: skipped$/)]);
    expect(set.docLines.get(set.resources[0]!.source)).toEqual([1, 6]);
  });

  test.each([
    [{ bytes: 50, resources: 100 }, /input exceeds 50 bytes \(limits\.manifestBytes\)$/],
    [{ bytes: 1 << 20, resources: 2 }, /more than 2 resources \(limits\.resources\)$/],
  ])('limits %j → POLICY_INPUT_TOO_LARGE', async (limits, msg) => {
    const e: unknown = await readManifests(join(dir, 'app'), limits).catch((x: unknown) => x);
    expect(isSyncgateError(e, 'POLICY_INPUT_TOO_LARGE')).toBe(true);
    expect((e as Error).message).toMatch(msg);
  });

  test('a missing path is POLICY_INPUT_UNREADABLE', async () => {
    const e: unknown = await readManifests(join(dir, 'nope'), big).catch((x: unknown) => x);
    expect(isSyncgateError(e, 'POLICY_INPUT_UNREADABLE')).toBe(true);
  });

  test('an object without a name is K8S_OBJECT_INVALID naming the file', async () => {
    const f = join(dir, 'noname.yaml');
    writeFileSync(f, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n');
    const e: unknown = await readManifests(f, big).catch((x: unknown) => x);
    expect(isSyncgateError(e, 'K8S_OBJECT_INVALID')).toBe(true);
    expect((e as Error).message).toMatch(/noname\.yaml: document 1: missing metadata\.name$/);
  });

  test('stdin', async () => {
    const set = await readManifests('-', big, () => Promise.resolve('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n'));
    expect(set.resources.map((r) => `${r.source} ${r.object.metadata.name}`)).toEqual(['<stdin> s']);
  });
});

describe('policies config section', () => {
  const parse = (policies: unknown, exceptions: unknown = []) => () => parseConfig({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig', spec: { policies, exceptions } }, 'c.yaml');
  test.each([
    [{ packs: ['pss-strict'] }, [], 'c.yaml: spec.policies.packs.0:'],
    [{ options: { pss: { version: '1.30' } } }, [], 'spec.policies.options.pss.version: use latest or v1.<minor>'],
    [{ options: { 'supply-chain': { requireDigests: true } } }, [], 'spec.policies.options.supply-chain'],
    [{ modes: { 'hygiene/*': 'block' } }, [], 'spec.policies.modes.hygiene/*'],
    [{}, [{ policies: ['x'], reason: '' }], 'spec.exceptions.0.reason: an exception needs a reason'],
    [{}, [{ policies: ['x'], reason: 'r', expires: 'someday' }], 'spec.exceptions.0.expires: invalid date'],
    [{ inlineWaivers: [{ policies: [] }] }, [], 'spec.policies.inlineWaivers.0.policies'],
  ])('%j %j → CONFIG_INVALID', (policies, exceptions, text) => {
    expect(parse(policies, exceptions)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(text) }));
  });
  test('defaults', () => {
    const c = parseConfig({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig' });
    expect(c.spec.policies.options).toEqual({
      pss: { version: 'latest' },
      'supply-chain': { requireDigest: false, allowedRegistries: [] },
      network: { requireNetworkPolicy: true, allowedServiceTypes: ['ClusterIP', 'ExternalName'] },
      hygiene: { requests: ['cpu', 'memory'], limits: ['memory'] },
    });
  });
});
