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
    ['60', undefined],
    [60, undefined],
  ])('parseDuration(%s)', (v, want) => expect(parseDuration(v)).toBe(want));

  // issue 17 item 4: `renderTimeout: 60` used to mean 60 ms and every render then timed out.
  test.each([
    [{ limits: { renderTimeout: 60 } }, 'spec.limits.renderTimeout: duration 60 has no unit: write e.g. "60s" for seconds or "60ms" for milliseconds'],
    [{ limits: { renderTimeout: '60' } }, 'spec.limits.renderTimeout: duration "60" has no unit: write e.g. "60s" for seconds or "60ms" for milliseconds'],
    [{ webhook: { timeout: 5 } }, 'spec.webhook.timeout: duration 5 has no unit: write e.g. "5s" for seconds or "5ms" for milliseconds'],
    [{ limits: { renderTimeout: '1d' } }, 'spec.limits.renderTimeout: invalid duration "1d" (use a number with a unit: ms, s, m, h, e.g. 60s, 1m30s, 500ms)'],
  ])('a duration without a unit is refused with a hint: %j', (spec, message) => {
    expect(() => parseConfig({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig', spec }, 'cfg.yaml')).toThrow(`cfg.yaml: ${message}`);
  });

  test('durations with a unit still parse, and the defaults are durations too', () => {
    const c = parseConfig({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig', spec: { limits: { renderTimeout: '90s' }, webhook: { timeout: '1500ms' } } });
    expect(c.spec.limits.renderTimeout).toBe(90_000);
    expect(c.spec.webhook.timeout).toBe(1500);
    expect(defaultConfig().spec.webhook.timeout).toBe(5000);
  });
});
