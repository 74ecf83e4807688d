import { errorCodeOf } from '../../helpers/errors.js';
import {
  optionsFromParameters,
  paramEnvName,
  parametersFromFlags,
  parseArgoEnv,
  parseParametersJson,
  repoRootFromArgoEnv,
} from '../../../src/cmp/params.js';

const base = {
  ARGOCD_APP_NAME: 'team-a_web',
  ARGOCD_APP_NAMESPACE: 'web',
  ARGOCD_APP_PROJECT_NAME: 'team-a',
  ARGOCD_APP_REVISION: 'abc1234',
  ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.com/team-a/apps.git',
  ARGOCD_APP_SOURCE_PATH: 'apps/web',
  KUBE_VERSION: '1.30.2',
  KUBE_API_VERSIONS: 'apps/v1,apps/v1/Deployment,v1',
};

const code = errorCodeOf;

describe('parseArgoEnv', () => {
  test('context comes from the trusted vars only', () => {
    const { context, options } = parseArgoEnv({ ...base, ARGOCD_APP_PARAMETERS: 'null', ARGOCD_ENV_ARGOCD_APP_PROJECT_NAME: 'admin' });
    expect(context).toEqual({
      appName: 'team-a_web',
      namespace: 'web',
      project: 'team-a',
      repoURL: 'https://git.example.com/team-a/apps.git',
      sourcePath: 'apps/web',
      revision: 'abc1234',
      kubeVersion: '1.30.2',
      apiVersions: ['apps/v1', 'apps/v1/Deployment', 'v1'],
    });
    expect(options).toEqual({});
  });

  test.each([
    ['values-files array', [{ name: 'values-files', array: ['values-prod.yaml', 'extra.yaml'] }], { valueFiles: ['values-prod.yaml', 'extra.yaml'] }],
    ['values-files string list', [{ name: 'values-files', string: 'a.yaml, b.yaml' }], { valueFiles: ['a.yaml', 'b.yaml'] }],
    ['set map', [{ name: 'set', map: { 'image.tag': '1.2.3', replicas: '3' } }], { set: { 'image.tag': '1.2.3', replicas: '3' } }],
    ['set-string map', [{ name: 'set-string', map: { 'a.b': '007' } }], { setString: { 'a.b': '007' } }],
    ['inline values', [{ name: 'values', string: 'replicaCount: 4\n' }], { values: 'replicaCount: 4\n' }],
    ['release name', [{ name: 'release-name', string: 'web-prod' }], { releaseName: 'web-prod' }],
    ['empty release name ignored', [{ name: 'release-name', string: '' }], {}],
    ['skip-crds', [{ name: 'skip-crds', string: 'true' }], { skipCrds: true }],
    ['recurse false', [{ name: 'recurse', string: 'False' }], { recurse: false }],
    ['include/exclude', [{ name: 'include', array: ['*.yaml'] }, { name: 'exclude', string: 'test-*.yaml' }], { include: ['*.yaml'], exclude: ['test-*.yaml'] }],
    ['helm-parameters kept apart from set', [{ name: 'helm-parameters', map: { a: '1', b: '1' } }, { name: 'set', map: { b: '2' } }], { helmParameters: { a: '1', b: '1' }, set: { b: '2' } }],
    ['commas, dots, brackets, backslashes survive parsing', [{ name: 'set', map: { 'a\\.b[0]': 'x, y\\z' } }], { set: { 'a\\.b[0]': 'x, y\\z' } }],
    ['null fields allowed', [{ name: 'values-files', string: null, array: ['x.yaml'], map: null }], { valueFiles: ['x.yaml'] }],
  ])('ARGOCD_APP_PARAMETERS: %s', (_n, params, expected) => {
    expect(parseArgoEnv({ ...base, ARGOCD_APP_PARAMETERS: JSON.stringify(params) }).options).toEqual(expected);
  });

  test.each([
    ['malformed JSON', '[{"name":'],
    ['not an array', '{"name":"set"}'],
    ['item not an object', '["set"]'],
    ['missing name', '[{"string":"x"}]'],
    ['string of wrong type', '[{"name":"release-name","string":3}]'],
    ['array of wrong type', '[{"name":"values-files","array":[1]}]'],
    ['map of wrong type', '[{"name":"set","map":{"a":1}}]'],
    ['unknown parameter', '[{"name":"exception","string":"pss-restricted"}]'],
    ['key choice is not a parameter', '[{"name":"sops-key","string":"team-b"}]'],
    ['bad boolean', '[{"name":"recurse","string":"yes please"}]'],
    ['map param given a string', '[{"name":"set","string":"a=b"}]'],
    ['string param given a map', '[{"name":"values","map":{"a":"b"}}]'],
  ])('ARGOCD_APP_PARAMETERS %s → CMP_PARAMETERS_INVALID', (_n, json) => {
    expect(code(() => parseArgoEnv({ ...base, ARGOCD_APP_PARAMETERS: json }))).toBe('CMP_PARAMETERS_INVALID');
  });

  test('ARGOCD_ENV_* options, parameters win', () => {
    const env = {
      ...base,
      ARGOCD_ENV_RELEASE_NAME: 'from-env',
      ARGOCD_ENV_HELM_VALUES_FILES: 'a.yaml,b.yaml',
      ARGOCD_ENV_RECURSE: 'true',
      ARGOCD_ENV_SOMETHING_ELSE: 'ignored',
      ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: 'release-name', string: 'from-param' }]),
    };
    expect(parseArgoEnv(env).options).toEqual({ releaseName: 'from-param', valueFiles: ['a.yaml', 'b.yaml'], recurse: true });
  });

  test('PARAM_* forms are read only when ARGOCD_APP_PARAMETERS is absent', () => {
    const env = { ...base, PARAM_RELEASE_NAME: 'r1', PARAM_VALUES_FILES_0: 'a.yaml', PARAM_VALUES_FILES_1: 'b.yaml', PARAM_SKIP_CRDS: 'true' };
    expect(parseArgoEnv(env).options).toEqual({ releaseName: 'r1', valueFiles: ['a.yaml', 'b.yaml'], skipCrds: true });
    expect(parseArgoEnv({ ...env, ARGOCD_APP_PARAMETERS: 'null' }).options).toEqual({});
  });

  test('PARAM_ escaping matches Argo CD', () => {
    expect(paramEnvName('values-files')).toBe('PARAM_VALUES_FILES');
    expect(paramEnvName('a.b/c')).toBe('PARAM_A_B_C');
  });
});

describe('parseParametersJson', () => {
  test('null means no parameters', () => expect(parseParametersJson('null')).toEqual([]));
  test('Go-serialised empty collections', () =>
    expect(parseParametersJson('[{"array":[],"map":{},"name":"set"}]')).toEqual([{ name: 'set', array: [], map: {} }]));
});

describe('parametersFromFlags (render --param)', () => {
  test('maps, lists and strings', () => {
    const params = parametersFromFlags(['set=image.tag=1.2', 'set=a=b=c', 'values-files=x.yaml,y.yaml', 'values-files=z.yaml', 'release-name=r']);
    expect(optionsFromParameters(params)).toEqual({
      set: { 'image.tag': '1.2', a: 'b=c' },
      valueFiles: ['x.yaml', 'y.yaml', 'z.yaml'],
      releaseName: 'r',
    });
  });
  test.each([['noequals'], ['=x'], ['set=novalue'], ['bogus=1']])('%s → CMP_PARAMETERS_INVALID', (flag) => {
    expect(code(() => optionsFromParameters(parametersFromFlags([flag])))).toBe('CMP_PARAMETERS_INVALID');
  });
});

describe('repoRootFromArgoEnv', () => {
  const uuid = '0b6f0f7e-8a0c-4d0e-9a43-5f8f1c9d2e11';
  test.each([
    ['strips the source path', '/tmp/x/apps/web', 'apps/web', '/tmp/x'],
    ['dot source path', '/tmp/x', '.', '/tmp/x'],
    ['empty source path', '/tmp/x', '', '/tmp/x'],
    ['tail mismatch falls back to cwd', '/tmp/x/other/web', 'apps/web', '/tmp/x/other/web'],
    ['.. in source path ignored', '/tmp/x/a', '../a', '/tmp/x/a'],
    ['trailing slash in source path', '/tmp/x/apps/web', 'apps/web/', '/tmp/x'],
    ['never above the stock request dir', `/tmp/_cmp_server/${uuid}/web`, 'team/apps/web', `/tmp/_cmp_server/${uuid}/web`],
    ['stock request dir root', `/tmp/_cmp_server/${uuid}/apps/web`, 'apps/web', `/tmp/_cmp_server/${uuid}`],
  ])('%s', (_n, cwd, sourcePath, expected) => {
    expect(repoRootFromArgoEnv(cwd, { ARGOCD_APP_SOURCE_PATH: sourcePath })).toBe(expected);
  });
});
