/**
 * Matches `value` against a glob where `*` is any run of characters (slashes included) and `?`
 * one. Patterns can come from a repo annotation (inline waivers), so matching is a linear
 * two-pointer walk with one backtrack point — never a RegExp that could backtrack exponentially.
 */
export function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === value;
  let p = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < value.length) {
    const c = pattern[p];
    if (c === '?' || (c !== undefined && c !== '*' && c === value[v])) {
      p++;
      v++;
    } else if (c === '*') {
      star = p++;
      mark = v;
    } else if (star >= 0) {
      p = star + 1;
      v = ++mark;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** True when any pattern matches. */
export function anyGlob(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => globMatch(p, value));
}
