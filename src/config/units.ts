import * as z from 'zod';

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
};

/** Parses a Kubernetes-style byte quantity (`64Mi`, `1Gi`, `500k`, `1024`). */
export function parseBytes(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;
  const m = /^(\d+(?:\.\d+)?)(|k|M|G|Ki|Mi|Gi)$/.exec(v.trim());
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * (BYTE_UNITS[m[2] ?? ''] ?? 1));
}

/**
 * Parses a Go-style duration (`60s`, `1m30s`, `500ms`, `2h`) to milliseconds. A bare number has
 * no unit (is `60` sixty seconds or sixty milliseconds?) and is refused, as Kubernetes and Flux
 * refuse it in their duration fields.
 */
export function parseDuration(v: string | number): number | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    const n = Number(m[1]);
    total += n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[m[2] as 'ms' | 's' | 'm' | 'h'];
  }
  return total;
}

/** zod type: byte quantity → number of bytes. */
export const bytes = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = parseBytes(v);
  if (n === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid byte quantity ${JSON.stringify(v)} (use e.g. 64Mi, 1Gi)`,
    });
    return z.NEVER;
  }
  return n;
});

/** The message for a duration without a unit or with an unknown one. */
export function durationProblem(v: unknown): string {
  if (typeof v === 'number' || (typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v)))
    return `duration ${JSON.stringify(v)} has no unit: write e.g. "${String(v).trim()}s" for seconds or "${String(v).trim()}ms" for milliseconds`;
  return `invalid duration ${JSON.stringify(v)} (use a number with a unit: ms, s, m, h, e.g. 60s, 1m30s, 500ms)`;
}

/** What a duration field accepts on input: numbers only to refuse them with a hint. */
export const durationInput = z.union([z.string(), z.number()]);
/** The JSON Schema pattern of a duration (editors flag `60` before syncgate does). */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';

/** zod type: a duration with a unit (`60s`) → milliseconds; a bare number is refused. */
export const duration = durationInput
  .transform((v, ctx) => {
    const n = parseDuration(v);
    if (n === undefined) {
      ctx.addIssue({ code: 'custom', message: durationProblem(v) });
      return z.NEVER;
    }
    return n;
  })
  .meta({
    description: 'a duration with a unit: ms, s, m or h (60s, 1m30s, 500ms); a bare number is refused',
  });

/** zod type: a YYYY-MM-DD date or RFC 3339 timestamp (YAML may hand us a Date). */
export const date = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: 'custom', message: `invalid date ${JSON.stringify(String(v))} (use YYYY-MM-DD)` });
    return z.NEVER;
  }
  return d.toISOString();
});
