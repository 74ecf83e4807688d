import { CelScalar, celMethod, type CelFunc } from '@bufbuild/cel';
import { RE2JS } from '@bufbuild/re2';

// k8s.io/apiserver/pkg/cel/library/regex.go: find and findAll. The pattern is validated with RE2
// (the engine Kubernetes uses) so a pattern the cluster would reject errors here too; matching then
// runs on ECMAScript RegExp because the RE2 port exposes no match positions. The text comes from
// app repos (untrusted) and a backtracking engine can take exponential time on a failing match, so
// RE2 (linear time) first decides whether the rest of the text matches at all; RegExp only runs
// when it does.
const compiled = new Map<string, RegExp>();
const re2Compiled = new Map<string, RE2JS>();

/**
 * RE2 for `matches()`, compiled once per pattern: @bufbuild/cel recompiles on every call, which
 * costs about a millisecond and made one regex policy a thousand times slower than the rest.
 */
export const cachedRe2 = {
  compile(pattern: string): { test(text: string): boolean } {
    let re = re2Compiled.get(pattern);
    if (!re) {
      re = RE2JS.compile(pattern);
      if (re2Compiled.size > 1000) re2Compiled.clear();
      re2Compiled.set(pattern, re);
    }
    return re;
  },
};

function regexp(pattern: string): RegExp {
  const hit = compiled.get(pattern);
  if (hit) return hit;
  try {
    cachedRe2.compile(pattern);
  } catch (e) {
    throw new Error(
      `invalid regex ${JSON.stringify(pattern)}: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
  let flags = 'gu';
  let body = pattern;
  const lead = /^\(\?([ims]+)\)/.exec(body);
  if (lead?.[1] !== undefined) {
    flags += lead[1];
    body = body.slice(lead[0].length);
  }
  const re = new RegExp(body, flags);
  if (compiled.size > 1000) compiled.clear();
  compiled.set(pattern, re);
  return re;
}

function findAll(s: string, pattern: string, limit: bigint): string[] {
  const out: string[] = [];
  if (limit === 0n) return out;
  const re = regexp(pattern);
  const re2 = cachedRe2.compile(pattern);
  let from = 0;
  let prevEnd = -1;
  while (from <= s.length && re2.test(s.slice(from))) {
    re.lastIndex = from;
    const m = re.exec(s);
    if (!m) break;
    // Go ignores an empty match that abuts the previous match.
    if (m[0].length > 0 || m.index !== prevEnd) out.push(m[0]);
    prevEnd = m.index + m[0].length;
    if (limit > 0n && BigInt(out.length) >= limit) break;
    // An empty match must still advance, by one code point as Go's FindAllString does.
    const cp = s.codePointAt(m.index);
    from = m.index + m[0].length + (m[0].length === 0 ? (cp !== undefined && cp > 0xffff ? 2 : 1) : 0);
  }
  return out;
}

/** The Kubernetes CEL `regex` library. */
export const regexFuncs: CelFunc[] = [
  celMethod('find', CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (pattern) {
    return findAll(this, pattern, 1n)[0] ?? '';
  }),
  celMethod('findAll', CelScalar.STRING, [CelScalar.STRING], CelScalar.DYN, function (pattern) {
    return findAll(this, pattern, -1n);
  }),
  celMethod(
    'findAll',
    CelScalar.STRING,
    [CelScalar.STRING, CelScalar.INT],
    CelScalar.DYN,
    function (pattern, limit) {
      return findAll(this, pattern, limit);
    },
  ),
];
