import { asList, asMap, asString, asStringMap } from './fields.js';

/** A compiled metav1.LabelSelector. */
export type LabelMatcher = (labels: Readonly<Record<string, string>>) => boolean;

const NEVER: LabelMatcher = () => false;

/**
 * Compiles a LabelSelector (matchLabels AND matchExpressions; an empty selector selects
 * everything, as for NetworkPolicy podSelector). An invalid selector selects nothing.
 */
export function compileSelector(sel: unknown): LabelMatcher {
  const s = asMap(sel);
  if (!s) return sel === undefined || sel === null ? () => true : NEVER;
  const tests: LabelMatcher[] = [];
  for (const [k, v] of Object.entries(asStringMap(s['matchLabels']))) tests.push((l) => Object.hasOwn(l, k) && l[k] === v);
  for (const e of asList(s['matchExpressions'])) {
    const m = asMap(e);
    const key = asString(m?.['key']);
    if (!m || key === undefined) return NEVER;
    const values = asList(m['values']).map(String);
    switch (m['operator']) {
      case 'In':
        tests.push((l) => Object.hasOwn(l, key) && values.includes(l[key]!));
        break;
      case 'NotIn':
        tests.push((l) => !Object.hasOwn(l, key) || !values.includes(l[key]!));
        break;
      case 'Exists':
        tests.push((l) => Object.hasOwn(l, key));
        break;
      case 'DoesNotExist':
        tests.push((l) => !Object.hasOwn(l, key));
        break;
      default:
        return NEVER;
    }
  }
  return (l) => tests.every((t) => t(l));
}
