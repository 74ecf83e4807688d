import { setFlagsFromString } from 'node:v8';

/** The old generation grows to at most this much over the live heap before a full GC. */
export const HEAP_GROWING_PERCENT = 25;

/**
 * Caps V8's heap growing factor for the long-running servers (`serve`, `webhook`), so their RSS
 * stays near the live heap instead of following V8's throughput heuristic.
 *
 * V8 sets the next full-GC limit to live × a factor (1.1–4) computed from the last GC's speed
 * against the allocation rate. On a busy 2-core node a full GC that overlaps a render tool looks
 * slow, the factor jumps towards 4 and garbage piles up: in 2 of 10 bench/cmp.mjs runs the
 * sidecar's RSS went from ~96 MiB after 100 requests to 120–134 MiB after 1,000 (and once, in a
 * separate probe, to 170 MiB after 2,000), where the other runs stayed at 97–100 MiB. With
 * --trace-gc-verbose the flat runs show a limit of live + ~10 MiB (~29 → ~39 MiB). The flag fixes
 * the factor; V8 still adds its 8 MiB minimum step, so the limit stays where the flat runs had it.
 *
 * The flag is not allowed in NODE_OPTIONS, so it is set here, before the server allocates; V8
 * reads it at every limit computation. A `--heap-growing-percent` given to node itself wins.
 */
export function capHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
