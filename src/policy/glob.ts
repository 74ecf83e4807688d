const cache = new Map<string, RegExp>();

/** Matches `value` against a glob where `*` is any run of characters (slashes included) and `?` one. */
export function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === value;
  let re = cache.get(pattern);
  if (!re) {
    const src = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${src}$`);
    cache.set(pattern, re);
  }
  return re.test(value);
}

/** True when any pattern matches. */
export function anyGlob(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => globMatch(p, value));
}
