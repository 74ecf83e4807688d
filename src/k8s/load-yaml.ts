import jsyaml from 'js-yaml';
import { parseDocumentsExact as parseDocuments } from './parse-exact.js';

// Render output and `syncgate scan` inputs are whole streams of manifests, and the `yaml` package's document model costs
// ~15× more than js-yaml's loader. This fast path resolves plain scalars exactly as the shared
// codec does (the `yaml` package's YAML 1.1 schema: yes/no/on/off booleans, 0755 octal,
// sexagesimal numbers, timestamps → Date), and hands every stream it cannot mirror exactly
// (anchors/aliases, tags, directives, or anything js-yaml rejects) to the codec itself, so
// values and error messages never differ. test/unit/policy/load-yaml.test.ts checks both agree.

function sexagesimal(str: string): number {
  const sign = str[0];
  const parts = sign === '-' || sign === '+' ? str.slice(1) : str;
  const n = parts.replace(/_/g, '').split(':').reduce((acc, p) => acc * 60 + Number(p), 0);
  return sign === '-' ? -n : n;
}

function radixInt(str: string, offset: number, radix: number): number {
  const sign = str[0];
  const off = sign === '-' || sign === '+' ? offset + 1 : offset;
  const n = parseInt(str.slice(off).replace(/_/g, ''), radix);
  return sign === '-' ? -n : n;
}

const NULL_RE = /^(?:~|[Nn]ull|NULL)?$/;
const TRUE_RE = /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE_RE = /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const INT_RES: readonly (readonly [RegExp, (s: string) => number])[] = [
  [/^[-+]?0b[0-1_]+$/, (s) => radixInt(s, 2, 2)],
  [/^[-+]?0[0-7_]+$/, (s) => radixInt(s, 1, 8)],
  [/^[-+]?[0-9][0-9_]*$/, (s) => radixInt(s, 0, 10)],
  [/^[-+]?0x[0-9a-fA-F_]+$/, (s) => radixInt(s, 2, 16)],
];
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/;
const INT_TIME = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/;
const FLOAT_TIME = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/;
const TIMESTAMP = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:t|T|[ \t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\.[0-9]+)?)(?:[ \t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$/;

function timestamp(str: string): Date {
  const m = TIMESTAMP.exec(str)!;
  const n = m.map(Number);
  const ms = m[7] ? Number(`${m[7]}00`.slice(1, 4)) : 0;
  let date = Date.UTC(n[1] ?? 0, (n[2] ?? 1) - 1, n[3] ?? 1, n[4] || 0, n[5] || 0, n[6] || 0, ms);
  const tz = m[8];
  if (tz && tz !== 'Z') {
    let d = sexagesimal(tz);
    if (Math.abs(d) < 30) d *= 60;
    date -= 60000 * d;
  }
  return new Date(date);
}

const types = [
  new jsyaml.Type('tag:yaml.org,2002:null', { kind: 'scalar', resolve: (s: string) => NULL_RE.test(s), construct: () => null }),
  new jsyaml.Type('tag:yaml.org,2002:bool', { kind: 'scalar', resolve: (s: string) => TRUE_RE.test(s) || FALSE_RE.test(s), construct: (s: string) => TRUE_RE.test(s) }),
  new jsyaml.Type('tag:yaml.org,2002:int', {
    kind: 'scalar',
    resolve: (s: string) => INT_RES.some(([re]) => re.test(s)) || INT_TIME.test(s),
    construct: (s: string) => INT_RES.find(([re]) => re.test(s))?.[1](s) ?? sexagesimal(s),
  }),
  new jsyaml.Type('tag:yaml.org,2002:float', {
    kind: 'scalar',
    resolve: (s: string) => FLOAT_NAN.test(s) || FLOAT_EXP.test(s) || FLOAT.test(s) || FLOAT_TIME.test(s),
    construct: (s: string) => {
      if (FLOAT_NAN.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s.startsWith('-') ? -Infinity : Infinity;
      if (FLOAT_TIME.test(s)) return sexagesimal(s);
      return parseFloat(s.replace(/_/g, ''));
    },
  }),
  new jsyaml.Type('tag:yaml.org,2002:timestamp', { kind: 'scalar', resolve: (s: string) => TIMESTAMP.test(s), construct: timestamp }),
  // js-yaml applies `<<` merges for any scalar type with this tag (as its own merge type does).
  new jsyaml.Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (s: string | null) => s === '<<' || s === null }),
];
const SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({ implicit: types });

// Streams the codec reads differently: directives, explicit `?` keys, collection keys and null
// keys (the codec stringifies them its own way). Tags js-yaml does not know make it throw, and
// anchors/aliases are caught after loading (shared references), so both go to the codec too.
const NEEDS_CODEC = [
  /^%/m,
  /^[ \t]*(?:- +)*\?(?:\s|$)/m,
  /^[ \t]*(?:- +)*(?:\{[^\n]*\}|\[[^\n]*\])[ \t]*:(?:\s|$)/m,
  /(?:^[ \t]*(?:- +)*|[{,][ \t]*)(?:~|null|Null|NULL)?[ \t]*:(?:\s|$)/m,
  /[{,][ \t]*[{[]/,
];

/** True when a collection is reachable twice: an alias, which the codec must expand under its alias limit. */
function shared(v: unknown, seen: Set<object>): boolean {
  if (typeof v !== 'object' || v === null || v instanceof Date) return false;
  if (seen.has(v)) return true;
  seen.add(v);
  if (Array.isArray(v)) return v.some((x) => shared(x, seen));
  for (const k in v) if (shared((v as Record<string, unknown>)[k], seen)) return true;
  return false;
}

/** Parses a manifest stream like the shared codec's parseDocuments (same values, same errors), faster. */
export function loadDocuments(text: string, source: string): unknown[] {
  if (NEEDS_CODEC.some((re) => re.test(text))) return parseDocuments(text, source);
  let docs: unknown[];
  try {
    docs = jsyaml.loadAll(text, undefined, { schema: SCHEMA, json: true, filename: source });
  } catch {
    return parseDocuments(text, source);
  }
  const seen = new Set<object>();
  if (docs.some((d) => shared(d, seen))) return parseDocuments(text, source);
  return docs.filter((d) => d !== null && d !== undefined);
}
