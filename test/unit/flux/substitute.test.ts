import { substituteObject, loadVariables, isEncrypted, parseKustomization, type VariableSource } from '../../../src/flux/index.js';
import { isSyncgateError } from '../../../src/errors/index.js';
import type { K8sObject } from '../../../src/k8s/index.js';
import { Redactor } from '../../../src/log/index.js';

const cm = (data: Record<string, unknown>, meta: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'app', namespace: 'team-a', ...meta },
  data,
});
const on = { strict: true, strategy: 'WithVariables' } as const;
const vars = (o: Record<string, string>) => new Map(Object.entries(o));

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return isSyncgateError(e) ? `${e.code}: ${e.message}` : String(e);
  }
  return 'no error';
}

describe('postBuild substitution on objects (kustomize-controller semantics)', () => {
  test.each<[string, Record<string, unknown>, Record<string, string>, Record<string, unknown>]>([
    ['bare variable', { v: '${env}' }, { env: 'prod' }, { v: 'prod' }],
    ['set but empty → empty, no default', { v: '[${e}]' }, { e: '', x: '1' }, { v: '[]' }],
    ['unset with := default', { v: '${region:=eu-west-1}' }, { x: '1' }, { v: 'eu-west-1' }],
    ['unset with :- default', { v: '${region:-eu}' }, { x: '1' }, { v: 'eu' }],
    ['empty with := default uses the default', { v: '${e:=d}' }, { e: '' }, { v: 'd' }],
    ['$${var} escapes to a literal', { v: '$${env}' }, { env: 'prod' }, { v: '${env}' }],
    ['$var is not expanded', { v: '$env' }, { env: 'prod' }, { v: '$env' }],
    ['YAML 1.1 typing after substitution (like YAMLToJSON)', { replicas: '${n}' }, { n: '3' }, { replicas: 3 }],
    ['keys are substituted too', { '${k}': 'v' }, { k: 'key' }, { key: 'v' }],
  ])('%s', (_name, data, v, want) => {
    expect(substituteObject(cm(data), vars(v), on)['data']).toEqual(want);
  });

  test('strict: an unset variable fails naming the variable and the object', () => {
    expect(codeOf(() => substituteObject(cm({ v: '${missing}' }), vars({ x: '1' }), on))).toBe(
      'FLUX_SUBSTITUTE_FAILED: ConfigMap/team-a/app: post build failed: variable not set (strict mode): "missing"',
    );
  });

  test('non-strict: an unset variable becomes empty', () => {
    expect(substituteObject(cm({ v: 'a${missing}b' }), vars({ x: '1' }), { ...on, strict: false })['data']).toEqual({ v: 'ab' });
  });

  test('WithVariables: no variables at all → no substitution and no strict error (Flux caveat)', () => {
    const obj = cm({ v: '${missing}' });
    expect(substituteObject(obj, vars({}), on)).toBe(obj);
  });

  test('Always: expands defaults even without variables', () => {
    expect(substituteObject(cm({ v: '${x:=dflt}' }), vars({}), { ...on, strategy: 'Always' })['data']).toEqual({ v: 'dflt' });
  });

  test.each([
    ['label', { labels: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } }],
    ['annotation', { annotations: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } }],
  ])('objects with the %s substitute: disabled are left alone (even with unset vars)', (_n, meta) => {
    const obj = cm({ v: '${missing} ${env}' }, meta);
    expect(substituteObject(obj, vars({ env: 'prod' }), on)).toBe(obj);
  });

  test.each(['1abc', 'a-b', 'a.b', 'é'])('invalid variable name %j is refused', (name) => {
    expect(codeOf(() => substituteObject(cm({ v: 'x' }), vars({ [name]: 'v' }), on))).toMatch(/^FLUX_VAR_NAME_INVALID: postBuild: /);
  });

  test('a value that breaks the YAML is reported by position, never by content', () => {
    const msg = codeOf(() => substituteObject(cm({ v: '${v}' }), vars({ v: 'top-secret-9: x: y' }), on));
    expect(msg).toMatch(/^FLUX_SUBSTITUTE_FAILED: ConfigMap\/team-a\/app: post build failed: substituted object is not valid YAML: document 1/);
    expect(msg).not.toContain('top-secret-9');
  });

  test('malformed expression names the object', () => {
    expect(codeOf(() => substituteObject(cm({ v: '${oops' }), vars({ x: '1' }), on))).toBe(
      'FLUX_SUBSTITUTE_FAILED: ConfigMap/team-a/app: post build failed: missing closing brace',
    );
  });
});

describe('variables: substituteFrom then inline substitute', () => {
  const src = (kind: 'ConfigMap' | 'Secret', name: string, body: Record<string, unknown>): VariableSource => ({
    kind,
    name,
    file: `${name}.yaml`,
    object: { apiVersion: 'v1', kind, metadata: { name }, ...body },
  });
  const sources = [
    src('ConfigMap', 'vars', { data: { a: 'from-cm', b: 'cm-b\nline2' } }),
    src('Secret', 'creds', { data: { a: Buffer.from('from-secret').toString('base64'), pw: Buffer.from('s3cr3t-pw').toString('base64') } }),
  ];

  test('later substituteFrom overwrites earlier, inline wins, newlines stripped, secrets redacted', async () => {
    const r = new Redactor();
    const v = await loadVariables(
      [
        { kind: 'ConfigMap', name: 'vars', optional: false },
        { kind: 'Secret', name: 'creds', optional: false },
        { kind: 'ConfigMap', name: 'absent', optional: true },
      ],
      { pw: 'inline\nwins' },
      sources,
      r,
    );
    expect(Object.fromEntries(v)).toEqual({ a: 'from-secret', b: 'cm-bline2', pw: 'inlinewins' });
    expect(r.mask('pw=s3cr3t-pw')).toBe('pw=*****');
  });

  test('a missing non-optional source is an error naming it', async () => {
    await expect(loadVariables([{ kind: 'Secret', name: 'nope', optional: false }], {}, sources, new Redactor())).rejects.toMatchObject({
      code: 'FLUX_SUBSTITUTE_FROM_MISSING',
      message: "substitute from 'Secret/nope' error: not found (pass it with --substitute-from)",
    });
  });

  test('a SOPS-encrypted Secret without a decryptor is refused', async () => {
    const enc = src('Secret', 'enc', { data: { a: 'ENC[...]' }, sops: { mac: 'x' } });
    await expect(loadVariables([{ kind: 'Secret', name: 'enc', optional: false }], {}, [enc], new Redactor())).rejects.toMatchObject({
      code: 'FLUX_SUBSTITUTE_FROM_INVALID',
    });
  });
});

describe('isEncrypted', () => {
  test.each<[string, K8sObject, boolean]>([
    ['top-level sops', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, sops: { mac: 'm' } }, true],
    ['plain secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'YQ==' } }, false],
    [
      'secret holding a SOPS dotenv',
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { e: Buffer.from('A=ENC[x]\nsops_mac=ENC[y]\n').toString('base64') } },
      true,
    ],
    ['configmap', cm({ a: 'b' }), false],
  ])('%s → %s', (_n, obj, want) => {
    expect(isEncrypted(obj)).toBe(want);
  });
});

describe('Kustomization manifest', () => {
  const base = {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'team-a', namespace: 'flux-system' },
    spec: { path: './apps/team-a', targetNamespace: 'team-a', postBuild: { substitute: { a: 'b' }, substituteFrom: [{ kind: 'Secret', name: 's' }] } },
  };

  test('reads the tenant, path, target namespace and postBuild', () => {
    expect(parseKustomization(base, 'ks.yaml')).toEqual({
      name: 'team-a',
      namespace: 'flux-system',
      path: './apps/team-a',
      targetNamespace: 'team-a',
      postBuild: { substitute: { a: 'b' }, substituteFrom: [{ kind: 'Secret', name: 's', optional: false }], strategy: 'WithVariables' },
      decryption: false,
      file: 'ks.yaml',
    });
  });

  test('every generator field is kept for the generator, none refused; commonMetadata and dependsOn read', () => {
    const spec = {
      ...base.spec,
      patches: [{ patch: 'x', target: { kind: 'Deployment' } }],
      images: [{ name: 'a', newTag: 'b' }],
      namePrefix: 'p-',
      nameSuffix: '-s',
      components: ['../c'],
      ignoreMissingComponents: true,
      buildMetadata: ['originAnnotations'],
      commonMetadata: { labels: { team: 'a' } },
      dependsOn: [{ name: 'infra' }, { name: 'crds', namespace: 'platform' }],
      sourceRef: { kind: 'GitRepository', name: 'fleet' },
    };
    const ks = parseKustomization({ ...base, spec }, 'ks.yaml');
    expect(ks.generator).toEqual({
      patches: spec.patches, images: spec.images, namePrefix: 'p-', nameSuffix: '-s', components: ['../c'], ignoreMissingComponents: true,
      buildMetadata: ['originAnnotations'],
    });
    expect(ks.commonMetadata).toEqual({ labels: { team: 'a' }, annotations: {} });
    expect(ks.dependsOn).toEqual([{ name: 'infra', namespace: 'flux-system' }, { name: 'crds', namespace: 'platform' }]);
    expect(ks.sourceRef).toBe('GitRepository/flux-system/fleet');
  });

  test.each<[string, unknown, string]>([
    ['wrong apiVersion', { ...base, apiVersion: 'kustomize.config.k8s.io/v1beta1' }, 'ks.yaml: apiVersion: expected kustomize.toolkit.fluxcd.io/v1'],
    ['no name', { ...base, metadata: { namespace: 'x' } }, 'ks.yaml: metadata.name: '],
    ['bad substituteFrom kind', { ...base, spec: { postBuild: { substituteFrom: [{ kind: 'Pod', name: 'p' }] } } }, 'ks.yaml: spec.postBuild.substituteFrom.0.kind: '],
    ['spec.images without a name', { ...base, spec: { ...base.spec, images: [{ newTag: 'b' }] } }, 'ks.yaml: spec.images.0.name: '],
    ['spec.components not strings', { ...base, spec: { ...base.spec, components: [1] } }, 'ks.yaml: spec.components.0: '],
  ])('%s → FLUX_KUSTOMIZATION_INVALID', (_n, value, message) => {
    let err: unknown;
    try {
      parseKustomization(value, 'ks.yaml');
    } catch (e) {
      err = e;
    }
    expect(isSyncgateError(err, 'FLUX_KUSTOMIZATION_INVALID')).toBe(true);
    expect((err as Error).message.startsWith(message)).toBe(true);
  });
});
