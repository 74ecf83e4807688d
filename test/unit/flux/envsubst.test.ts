// Flux-specific substitution corners, run against the pipeline's expander (src/flux/expand.ts).
import { envsubst, EnvsubstError } from '../../../src/flux/expand.js';

const lax = (params: Record<string, string>) => (s: string): [string, boolean] => [params[s] ?? '', true];
const strict = (params: Record<string, string>) => (s: string): [string, boolean] => [params[s] ?? '', s in params];

// Cases from fluxcd/pkg envsubst/eval_test.go TestExpand (the expander kustomize-controller runs).
describe('envsubst matches fluxcd/pkg envsubst', () => {
  test.each<[Record<string, string>, string, string]>([
    [{}, 'abcdEFGH28ij', 'abcdEFGH28ij'],
    [{ var01: 'abcdEFGH28ij' }, '${#var01}', '12'],
    [{ var01: 'abcdEFGH28ij' }, '${var01^}', 'AbcdEFGH28ij'],
    [{ var01: 'abcdEFGH28ij' }, '${var01^^}', 'ABCDEFGH28IJ'],
    [{ var01: 'ABCDEFGH28IJ' }, '${var01,}', 'aBCDEFGH28IJ'],
    [{ var01: 'ABCDEFGH28IJ' }, '${var01,,}', 'abcdefgh28ij'],
    [{ path_name: '/home/bozo/ideas/thoughts.for.today' }, '${path_name:11}', 'ideas/thoughts.for.today'],
    [{ path_name: '/home/bozo/ideas/thoughts.for.today' }, '${path_name:11:5}', 'ideas'],
    [{ var: 'abc' }, '${var=xyz}', 'abc'],
    [{}, '${var=xyz}', 'xyz'],
    [{ default_var: 'foo' }, 'something ${var=${default_var}}', 'something foo'],
    [{ default_var: 'foo1' }, 'foo: ${var=${default_var}-suffix}', 'foo: foo1-suffix'],
    [{ default_var: 'foo1' }, 'foo: ${var=prefix${default_var}-suffix}', 'foo: prefixfoo1-suffix'],
    [{}, '${var:=xyz}', 'xyz'],
    [{ stringZ: 'abcABC123ABCabc' }, '${stringZ/%abc/XYZ}', 'abcABC123ABCXYZ'],
    [{ stringZ: 'abcABC123ABCabc' }, '${stringZ/#abc/XYZ}', 'XYZABC123ABCabc'],
    [{ stringZ: 'somevalue' }, '${stringZ/#/prefix-}', 'prefix-somevalue'],
    [{ stringZ: 'somevalue' }, '${stringZ/%/-suffix}', 'somevalue-suffix'],
    [{ stringZ: 'abcABC123ABCabc' }, '${stringZ//abc/xyz}', 'xyzABC123ABCxyz'],
    [{ stringZ: 'abcABC123ABCabc' }, '${stringZ/abc/xyz}', 'xyzABC123ABCabc'],
    [{ filename: 'bash.string.txt' }, '${filename#*.}', 'string.txt'],
    [{ filename: 'path/to/file' }, '${filename#*/}', 'to/file'],
    [{ filename: '/path/to/file' }, '${filename#*/}', 'path/to/file'],
    [{ filename: 'bash.string.txt' }, '${filename##*.}', 'txt'],
    [{ filename: 'path/to/file' }, '${filename##*/}', 'file'],
    [{ filename: '/path/to/file' }, '${filename##*/}', 'file'],
    [{ filename: 'bash.string.txt' }, '${filename%.*}', 'bash.string'],
    [{ filename: 'bash.string.txt' }, '${filename%%.*}', 'bash'],
    [{ var01: 'abcdEFGH28ij' }, '${var=${var01^^}}', 'ABCDEFGH28IJ'],
    [{ var01: 'abcdEFGH28ij' }, '$${var01}', '${var01}'],
    [
      { var01: 'abcdEFGH28ij' },
      'some text ${var01}$${var$${var01}$var01${var01}',
      'some text abcdEFGH28ij${var${var01}$var01abcdEFGH28ij',
    ],
    [{ default_var: 'foo' }, 'something $${var=${default_var}}', 'something ${var=foo}'],
    [{ stringZ: 'foo/bar' }, '${stringZ/\\//-}', 'foo-bar'],
    [{ stringZ: 'foo/bar/baz' }, '${stringZ//\\//-}', 'foo-bar-baz'],
    [{ default_var: 'foo' }, '\\\\something ${var=${default_var}}', '\\\\something foo'],
    [{ stringZ: 'foo.bar' }, '${stringZ/./}', 'foobar'],
    // Flux-specific corners (not bash): `$var` is left alone, `$$` is `$` anywhere,
    // `-` and `:-` both default on an empty value, `+` behaves like a default.
    [{ a: 'x' }, '$a and ${a}', '$a and x'],
    [{}, 'cost: $$5', 'cost: $5'],
    [{ e: '' }, '${e:-d}|${e=d}|${e:=d}', 'd|d|d'],
    [{ s: 'set' }, '${s:+alt}', 'set'],
    [{ s: 'héllo' }, '${#s}', '6'],
  ])('%j: %s → %s', (params, input, output) => {
    expect(envsubst(input, lax(params))).toBe(output);
  });
});

describe('strict mode (fluxcd/pkg TestExpandStrict)', () => {
  test.each<[Record<string, string>, string, string]>([
    [{ foo: 'bar' }, '${foo}', 'bar'],
    [{ foo: '' }, '${foo}', ''],
    [{ foo: 'bar' }, '${missing:=default}', 'default'],
    [{}, '${missing:-fallback}', 'fallback'],
    [{}, '${missing=assigned}', 'assigned'],
    [{}, '$missing stays', '$missing stays'],
  ])('%j: %s → %s', (params, input, output) => {
    expect(envsubst(input, strict(params))).toBe(output);
  });

  test.each([
    '${missing}', '${#missing}', '${missing^}', '${missing^^}', '${missing,}', '${missing,,}', '${missing:0}',
    '${missing:0:10}', '${missing/pattern/replacement}', '${missing//pattern/replacement}', '${missing/#p/r}',
    '${missing/%p/r}', '${missing#pattern}', '${missing##pattern}', '${missing%pattern}', '${missing%%pattern}',
  ])('%s fails naming the variable', (input) => {
    expect(() => envsubst(input, strict({}))).toThrow('variable not set (strict mode): "missing"');
  });
});

describe('malformed expressions', () => {
  test.each([
    ['${}', 'unable to parse variable name'],
    ['${var', 'missing closing brace'],
    ['${var:-default', 'unable to parse substitution within function'],
    ['${var^x}', 'bad substitution'],
    // fluxcd/pkg parses no bare `-` operator (docs/specs say `${v-d}` works: upstream says otherwise).
    ['${var-d}', 'missing closing brace'],
  ])('%s → %s', (input, message) => {
    let err: unknown;
    try {
      envsubst(input, lax({ var: 'v' }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EnvsubstError);
    expect((err as Error).message).toBe(message);
  });
});
