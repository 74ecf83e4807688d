import { randomBytes } from 'node:crypto';

/**
 * JSON.stringify for codec values: integers the codec keeps as bigints (beyond ±(2^53-1)) are
 * written as their exact digits, where JSON.stringify would throw.
 */
export function toJson(value: unknown, space?: number): string {
  try {
    return JSON.stringify(value, undefined, space);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
  }
  // A per-call marker no input can predict, replaced by the bare digits afterwards.
  const mark = `\u0001${randomBytes(12).toString('hex')}:`;
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${mark}${v.toString()}` : v), space);
  const quoted = JSON.stringify(mark).slice(0, -1);
  return text.replace(new RegExp(`${quoted.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}(-?[0-9]+)"`, 'g'), '$1');
}
