import { parseConfig, defaultConfig, parseBytes, parseDuration } from '../../../src/config/index.js';
import { SyncgateError } from '../../../src/errors/index.js';

describe('config', () => {
  test('defaults are complete and frozen', () => {
    const c = defaultConfig();
    expect(c.spec.limits.renderTimeout).toBe(60_000);
    expect(c.spec.limits.manifestBytes).toBe(64 * 1024 ** 2);
    expect(Object.isFrozen(c.spec.limits)).toBe(true);
  });

  test('every problem is reported with its path', () => {
    let err: unknown;
    try {
      parseConfig(
        {
          apiVersion: 'syncgate.dev/v1alpha1',
          kind: 'GateConfig',
          spec: { limits: { renderTimeout: 'soon' }, exceptions: [{ policies: ['x'], reason: '' }] },
        },
        'cfg.yaml',
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SyncgateError);
    const e = err as SyncgateError;
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('spec.limits.renderTimeout: invalid duration "soon"');
    expect(e.message).toContain('spec.exceptions.0.reason: an exception needs a reason');
  });

  test.each([
    ['64Mi', 64 * 1024 ** 2],
    ['1Gi', 1024 ** 3],
    ['500k', 500_000],
    ['12', 12],
    ['12x', undefined],
  ])('parseBytes(%s)', (v, want) => expect(parseBytes(v)).toBe(want));

  test.each([
    ['60s', 60_000],
    ['1m30s', 90_000],
    ['250ms', 250],
    ['2h', 7_200_000],
    ['1d', undefined],
  ])('parseDuration(%s)', (v, want) => expect(parseDuration(v)).toBe(want));
});
