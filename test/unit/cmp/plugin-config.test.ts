import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSyncgateCommand, loadPluginConfig, parsePluginConfig, socketName } from '../../../src/cmp/plugin-config.js';
import { errorCodeOf } from '../../helpers/errors.js';

const minimal = `
apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata:
  name: p
spec:
  generate:
    command: [sh, -c]
    args: ["echo hi"]
`;

const code = errorCodeOf;

describe('parsePluginConfig', () => {
  test('the repository plugin.yaml', () => {
    const cfg = loadPluginConfig('plugin.yaml');
    expect(cfg.metadata.name).toBe('syncgate');
    expect(socketName(cfg)).toBe('syncgate-v1.sock');
    expect(cfg.spec.generate.command).toEqual(['syncgate', 'generate']);
    expect(isSyncgateCommand(cfg.spec.discover.find, 'discover')).toBe(true);
    expect(isSyncgateCommand(cfg.spec.parameters.dynamic, 'parameters')).toBe(true);
    expect(cfg.spec.preserveFileMode).toBe(false);
    expect(cfg.spec.provideGitCreds).toBe(false);
  });

  test('defaults and every typed field', () => {
    const cfg = parsePluginConfig(
      `${minimal}
  version: v2
  init: {command: [a], args: [b]}
  discover:
    fileName: "*.cue"
    find: {glob: "**/x", command: [c], args: [d]}
  parameters:
    static:
      - {name: np, title: T, tooltip: tip, required: true, itemType: string, collectionType: map, map: {k: v}}
      - {name: arr, collectionType: array, array: [a, b]}
    dynamic: {command: [e]}
  preserveFileMode: true
  provideGitCreds: true
  lockRepo: true
`,
      'x.yaml',
    );
    expect(cfg.spec).toEqual({
      version: 'v2',
      init: { command: ['a'], args: ['b'] },
      generate: { command: ['sh', '-c'], args: ['echo hi'] },
      discover: { fileName: '*.cue', find: { glob: '**/x', command: ['c'], args: ['d'] } },
      parameters: {
        static: [
          { name: 'np', title: 'T', tooltip: 'tip', required: true, itemType: 'string', collectionType: 'map', map: { k: 'v' } },
          { name: 'arr', collectionType: 'array', array: ['a', 'b'] },
        ],
        dynamic: { command: ['e'], args: [] },
      },
      preserveFileMode: true,
      provideGitCreds: true,
    });
    expect(socketName(cfg)).toBe('p-v2.sock');
  });

  test('keys are case-insensitive like Go encoding/json; unknown keys ignored', () => {
    const cfg = parsePluginConfig(
      'APIVERSION: v\nKind: ConfigManagementPlugin\nMetaData: {NAME: q}\nspec: {Generate: {Command: [x]}, PreserveFileMode: true, whatever: 1}\n',
      'x',
    );
    expect(cfg.metadata.name).toBe('q');
    expect(cfg.spec.generate.command).toEqual(['x']);
    expect(cfg.spec.preserveFileMode).toBe(true);
    expect(socketName(cfg)).toBe('q.sock');
  });

  test('apiVersion is not checked', () => {
    expect(parsePluginConfig(minimal.replace('argoproj.io/v1alpha1', 'anything/v9'), 'x').apiVersion).toBe('anything/v9');
  });

  test.each([
    ['empty name', minimal.replace('name: p', 'name: ""')],
    ['wrong kind', minimal.replace('ConfigManagementPlugin', 'ConfigMap')],
    ['no generate command', minimal.replace('command: [sh, -c]', 'command: []')],
    ['not YAML', 'a: [b\n'],
    ['not a mapping', '- a\n'],
    ['command not a list', minimal.replace('command: [sh, -c]', 'command: sh')],
    ['bool field of wrong type', `${minimal}  preserveFileMode: "yes"\n`],
    ['static not a list', `${minimal}  parameters: {static: {name: a}}\n`],
    ['static required not bool', `${minimal}  parameters: {static: [{name: a, required: "true"}]}\n`],
  ])('%s → CMP_PLUGIN_CONFIG_INVALID', (_n, text) => {
    expect(code(() => parsePluginConfig(text, 'x.yaml'))).toBe('CMP_PLUGIN_CONFIG_INVALID');
  });

  test('missing file → CMP_PLUGIN_CONFIG_NOT_FOUND', () => {
    expect(code(() => loadPluginConfig('/nonexistent/plugin.yaml'))).toBe('CMP_PLUGIN_CONFIG_NOT_FOUND');
  });

  test('loads from disk', () => {
    const d = mkdtempSync(join(tmpdir(), 'plugincfg-'));
    try {
      writeFileSync(join(d, 'plugin.yaml'), minimal);
      expect(loadPluginConfig(join(d, 'plugin.yaml')).source).toBe(join(d, 'plugin.yaml'));
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  test.each([
    [{ command: ['syncgate', 'discover'], args: [] }, true],
    [{ command: ['/usr/local/bin/syncgate'], args: ['discover'] }, true],
    [{ command: ['syncgate', 'discover', '--x'], args: [] }, false],
    [{ command: ['sh', '-c', 'syncgate discover'], args: [] }, false],
  ])('isSyncgateCommand(%j)', (cmd, expected) => {
    expect(isSyncgateCommand(cmd, 'discover')).toBe(expected);
  });
});
