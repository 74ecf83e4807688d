import { isDeepStrictEqual } from 'node:util';
import { cloneParsed, parseDocuments } from '../../../src/k8s/index.js';

test('cloneParsed: an independent copy that stays deep-strict-equal to codec output (prototypes kept)', () => {
  const [doc] = parseDocuments('kind: Secret\nmetadata:\n  name: s\ndata:\n  a: [1, {b: c}]\n', 'x.yaml') as [Record<string, unknown>];
  const copy = cloneParsed(doc);
  expect(isDeepStrictEqual(copy, doc)).toBe(true);
  expect(copy).not.toBe(doc);
  expect((copy['data'] as Record<string, unknown>)['a']).not.toBe((doc['data'] as Record<string, unknown>)['a']);
  (copy['metadata'] as Record<string, unknown>)['name'] = 'changed';
  expect((doc['metadata'] as Record<string, unknown>)['name']).toBe('s');
  const when = new Date(0);
  const c = cloneParsed({ when });
  expect(c.when).toEqual(when);
  expect(c.when).not.toBe(when);
});
