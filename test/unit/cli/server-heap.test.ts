import { capHeapGrowth, HEAP_GROWING_PERCENT } from '../../../src/cli/server-heap.js';

describe('capHeapGrowth', () => {
  it('sets the growing factor when node was started without one', () => {
    expect(capHeapGrowth(['--max-semi-space-size=2'])).toBe(true);
    expect(HEAP_GROWING_PERCENT).toBeGreaterThan(0);
  });

  it.each([['--heap-growing-percent=50'], ['--heap_growing_percent=50'], ['--heap-growing-percent']])(
    'leaves an operator-given %s alone',
    (flag) => {
      expect(capHeapGrowth(['--max-semi-space-size=2', flag])).toBe(false);
    },
  );

  it('does not mistake a similar flag for it', () => {
    expect(capHeapGrowth(['--heap-growing-percentage-x'])).toBe(true);
  });
});
