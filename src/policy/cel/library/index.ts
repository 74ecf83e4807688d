// The Kubernetes CEL extension libraries (k8s.io/apiserver/pkg/cel/library) that @bufbuild/cel
// lacks; its own `strings` extension covers the string functions.
import type { CelFunc } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { listFuncs } from './lists.js';
import { quantityFuncs } from './quantity.js';
import { regexFuncs } from './regex.js';
import { splitFuncs } from './split.js';
import { urlFuncs } from './urls.js';

export { parseQuantity, type Fraction } from './quantity.js';
export { cachedRe2 } from './regex.js';

/** Every extension function a VAP expression may call, on top of the CEL standard library. */
export const kubernetesFuncs: readonly CelFunc[] = [
  ...strings.filter((f) => f.name !== 'split'),
  ...splitFuncs,
  ...listFuncs,
  ...regexFuncs,
  ...urlFuncs,
  ...quantityFuncs,
];
