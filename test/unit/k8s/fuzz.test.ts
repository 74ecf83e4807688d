// Seeded fuzz run of the codec (issue 12): mutated YAML and JSON either decode to values or fail
// with a SyncgateError (K8S_YAML_INVALID or LIMIT_EXCEEDED), never anything else; whatever
// decodes serialises back (toYamlStream) to the same values, and to JSON (toJson).
// FUZZ_SEED / FUZZ_RUNS override the defaults; a failure prints the seed, run and input.
import { readFileSync } from 'node:fs';
import { parseDocuments, parseJson, parseResources, toJson, toYamlStream } from '../../../src/k8s/index.js';
import { SyncgateError } from '../../../src/errors/index.js';
import { mulberry32 } from '../../helpers/prng.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261207);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 1500);


const corpus = (JSON.parse(readFileSync(new URL('../../fixtures/codec/cases.json', import.meta.url), 'utf8')) as { input: string }[])
  .map((c) => c.input)
  .filter((s) => s.length < 4000);
corpus.push(
  'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  template:\n    spec:\n      securityContext:\n        runAsUser: 0o0\n      containers:\n      - name: c\n        image: nginx:1.27\n        args: ["--port", "8080"]\n        env:\n        - {name: A, value: "yes"}\n',
  '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"v"}}]}\n',
  'base: &b\n  a: 1\n  list: [x, y]\nderived:\n  <<: *b\n  c: |\n    line\n    line2\n',
);
const CHARS = ' \n\t:-?[]{},#&*!|>\'"%@`\\0123456789.eE+_xob~yn<\r';
const TOKENS = ['&a ', '*a', '<<: *a\n', '- ', ': ', '---\n', '...\n', '!!int ', '!!binary ', '!!str ', '! ', '!foo ', '{', '}', '[', ']', '"', "'", '\\', '\r\n', '\ufeff',
  '\t', '? ', '|\n', '>-\n', '%YAML 1.1\n', '0o17', '.inf', '~', '\\/', '{"a":', '9007199254740993', '18446744073709551616', '1e7: x\n', '&a [*a]', '\u2028', '\0', '\ud800'];

function mutate(rand: () => number, s: string): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const at = (): number => Math.floor(rand() * (s.length + 1));
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) {
    const p = at();
    switch (Math.floor(rand() * 7)) {
      case 0:
        s = s.slice(0, p) + pick(CHARS.split('')) + s.slice(p + 1);
        break;
      case 1:
        s = s.slice(0, p) + pick(TOKENS) + s.slice(p);
        break;
      case 2:
        s = s.slice(0, p) + s.slice(p + Math.floor(rand() * 8));
        break;
      case 3: {
        const q = at();
        s = s.slice(0, p) + s.slice(Math.min(p, q), Math.max(p, q)) + s.slice(p);
        break;
      }
      case 4:
        s = s.slice(0, p) + pick(corpus) + s.slice(p);
        break;
      case 5: {
        const k = 1 + Math.floor(rand() * 700);
        s = rand() < 0.5 ? `a: ${'['.repeat(k)}${']'.repeat(k)}\n` + s : '{"a":'.repeat(k) + '1' + '}'.repeat(k) + s;
        break;
      }
      default:
        s = s.split('\n').map((l) => (rand() < 0.2 ? ` ${l}` : l)).join('\n');
    }
  }
  return s.slice(0, 20000);
}

function check(input: string, run: number): void {
  const where = (what: string): string => `fuzz: ${what} (FUZZ_SEED=${SEED}, run ${run}, input ${JSON.stringify(input).slice(0, 2000)})`;
  let docs: unknown[];
  try {
    docs = parseDocuments(input, 'fuzz.yaml');
  } catch (e) {
    if (!(e instanceof SyncgateError) || !['K8S_YAML_INVALID', 'LIMIT_EXCEEDED'].includes(e.code)) throw new Error(where(`threw ${String(e)}`), { cause: e });
    return;
  }
  try {
    parseResources(input, 'fuzz.yaml');
  } catch (e) {
    if (!(e instanceof SyncgateError)) throw new Error(where(`parseResources threw ${String(e)}`), { cause: e });
  }
  // toYamlStream writes objects; a bare top-level scalar document is not one.
  docs = docs.filter((d) => typeof d === 'object' && d !== null);
  let back: unknown[];
  try {
    back = parseDocuments(toYamlStream(docs), 'back.yaml');
  } catch (e) {
    throw new Error(where(`toYamlStream output does not parse: ${String(e)}\n${toYamlStream(docs)}`), { cause: e });
  }
  if (toJson(back) !== toJson(docs)) throw new Error(where(`round trip changed the values:\n${toJson(docs)}\n${toJson(back)}\n${toYamlStream(docs)}`));
  for (const d of docs) {
    if (typeof d === 'object' && d !== null && !Array.isArray(d)) {
      try {
        parseJson(toJson(d), 'json');
      } catch (e) {
        throw new Error(where(`toJson output does not parse: ${String(e)}`), { cause: e });
      }
    }
  }
}

test(`fuzz: ${RUNS} mutated inputs decode or fail coded, and round-trip (seed ${SEED})`, () => {
  const rand = mulberry32(SEED);
  for (let run = 0; run < RUNS; run++) check(mutate(rand, corpus[Math.floor(rand() * corpus.length)] ?? ''), run);
});
