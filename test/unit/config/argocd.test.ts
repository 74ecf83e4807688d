import { defaultConfig, parseConfig } from '../../../src/config/index.js';
import { errorCodeOf } from '../../helpers/errors.js';

const cfg = (applications: unknown): unknown => ({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig', spec: { argocd: { applications } } });

describe('spec.argocd.applications', () => {
  test('off by default: no project, the versioned socket name, discovery denied', () => {
    expect(defaultConfig().spec.argocd.applications).toEqual({ projects: [], pluginNames: ['syncgate-v1'], discovery: 'deny' });
  });

  test.each([
    ['discovery', { discovery: 'maybe' }, 'spec.argocd.applications.discovery'],
    ['no plugin name', { pluginNames: [] }, 'spec.argocd.applications.pluginNames'],
    ['empty project', { projects: [''] }, 'spec.argocd.applications.projects.0'],
    ['unknown key', { project: ['a'] }, 'spec.argocd.applications'],
  ])('%s → CONFIG_INVALID naming the path', (_n, value, path) => {
    expect(errorCodeOf(() => parseConfig(cfg(value)))).toBe('CONFIG_INVALID');
    expect(() => parseConfig(cfg(value))).toThrow(path);
  });
});
