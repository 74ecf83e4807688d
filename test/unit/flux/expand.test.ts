import { envsubst, EnvsubstError } from '../../../src/flux/expand.js';

const lax =
  (params: Record<string, string>) =>
  (s: string): [string, boolean] => [params[s] ?? '', true];
const strict =
  (params: Record<string, string>) =>
  (s: string): [string, boolean] => [params[s] ?? '', s in params];

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof EnvsubstError ? e.message : `not an EnvsubstError: ${String(e)}`;
  }
  return 'no error';
}

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
    '${missing}',
    '${#missing}',
    '${missing^}',
    '${missing^^}',
    '${missing,}',
    '${missing,,}',
    '${missing:0}',
    '${missing:0:10}',
    '${missing/pattern/replacement}',
    '${missing//pattern/replacement}',
    '${missing/#p/r}',
    '${missing/%p/r}',
    '${missing#pattern}',
    '${missing##pattern}',
    '${missing%pattern}',
    '${missing%%pattern}',
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

// Corners found by comparing this expander with the scanner port (src/flux/envsubst.ts) on random
// inputs; each is what kustomize-controller applies, so the gate must read it the same way.
describe('expand: corners Flux relies on', () => {
  const vars = {
    v: 'abcdef',
    d: 'a$$b',
    e: '',
    a: 'b',
    n: '2',
    m: '-2',
    m9: '-9',
    b: 'a\\b/c',
    u: 'éaß',
    i: 'İΣΑΣ',
    p: 'a/b/c.d.e',
    é: 'accent',
  };
  test.each<[string, string, string]>([
    // defaults: nested, mixed with text, `$$`/`$name` kept literally inside the argument
    ['nested default chain', '${x:-${y:-${v}}}', 'abcdef'],
    ['text and expressions in a default', '${x:-a${a}b${a}c}', 'abbbc'],
    ['$$ before a nested expression', '${x:=$${v}}', '$abcdef'],
    ['$$ alone in a default stays', '${x:-$$}', '$$'],
    ['$name in a default stays', '${x:-$v}', '$v'],
    ['empty default', '${x:-}', ''],
    [':+ substitutes like a default', '${x:+alt}|${v:+alt}', 'alt|abcdef'],
    [':? substitutes like a default', '${e:?d}', 'd'],
    ['= does not assign', '${x=foo}${x}', 'foo'],
    // replace: literal patterns, `\/` and `\\` escapes, nested operands
    ['\\\\ is one backslash in a pattern', '${b/\\\\/X}', 'aXb/c'],
    ['\\/ is a slash in a pattern', '${b//\\//-}', 'a\\b-c'],
    ['\\\\ is one backslash in a replacement', '${b/c/\\\\}', 'a\\b/\\'],
    ['other backslashes stay', '${v/a/\\x}', '\\xbcdef'],
    ['replacement runs to the brace', '${v/#a/X/Y}', 'X/Ybcdef'],
    ['replace patterns are not globs', '${v/b*/X}', 'abcdef'],
    ['nested pattern', '${v/${a}/X}', 'aXcdef'],
    ['$$ is one dollar in replace operands', '${d/$$/X}|${v/a/$$}', 'aX$b|$bcdef'],
    ['$${ in a replacement is text, not nesting', '${v/a/$${a}}', '${abcdef}'],
    ['$$ stays two dollars in # patterns', '${d#*$$}', 'b'],
    ['empty anchored replacement is a no-op in Flux', '${v/#ab/}|${v/%ef/}', 'abcdef|abcdef'],
    ['empty unanchored replacement deletes', '${v/ab/}|${v//c/}', 'cdef|abdef'],
    // substring: byte offsets, negative values via variables, non-numbers leave the value
    ['negative offset from a variable', '${v:${m}}', 'ef'],
    ['negative offset past the start', '${v:${m9}}', 'abcdef'],
    ['negative length', '${v:1:-2}', 'bcd'],
    ['offset past the end', '${v:9}', ''],
    ['leading zero and plus', '${v:01:+2}', 'bc'],
    ['non-numeric offset', '${v:a}|${v: -2}', 'abcdef|abcdef'],
    ['three arguments', '${v:1:2:3}', 'abcdef'],
    ['cut inside a UTF-8 character', '${u:1}', '\uFFFDaß'],
    ['offset on a character boundary', '${u:2}', 'aß'],
    // globs for # and %: per character, shortest match is never empty, `%` reads the pattern mirrored
    ['class', '${v#[ab]}', 'bcdef'],
    ['negated class', '${v#[^a]}|${v#[^b]}', 'abcdef|bcdef'],
    ['escaped character', '${v#\\a}', 'bcdef'],
    ['shortest star match is one character', '${v#*}|${v%*}', 'bcdef|abcde'],
    ['longest star match is everything', '${v##*}|${v%%*}', '|'],
    ['? is one character', '${u#?}|${u%?}', 'aß|éa'],
    ['suffix with ? and text', '${p%?.e}', 'a/b/c.'],
    ['suffix class is read mirrored (never matches)', '${v%[ef]}', 'abcdef'],
    ['malformed glob matches nothing', '${v#[a}', 'abcdef'],
    // case: one code point to one code point, like Go (ß stays, İ lowers to i, no final sigma)
    ['upper first', '${u^}', 'Éaß'],
    ['upper all keeps ß', '${u^^}', 'ÉAß'],
    ['lower all', '${i,,}', 'iσασ'],
    ['mixed case operators leave the value', '${v^,}', 'abcdef'],
    ['unicode name', '${é}', 'accent'],
    ['bytes of a unicode value', '${#u}', '5'],
    // text around expressions
    ['lone and trailing dollars', '$ a$ $}', '$ a$ $}'],
    ['three dollars', '$$$', '$$'],
    ['a stray closing brace', '${v}}', 'abcdef}'],
  ])('%s: %s → %s', (_name, input, output) => {
    expect(envsubst(input, lax(vars))).toBe(output);
  });

  test('strict: default arguments are evaluated even when unused', () => {
    expect(messageOf(() => envsubst('${v:=${x}}', strict({ v: 'set' })))).toBe(
      'variable not set (strict mode): "x"',
    );
  });

  test('strict: operands are evaluated before the variable', () => {
    expect(messageOf(() => envsubst('${missing/${x}/a}', strict({})))).toBe(
      'variable not set (strict mode): "x"',
    );
  });

  test('strict: the error carries the variable name', () => {
    let err: unknown;
    try {
      envsubst('a ${nope} b', strict({}));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EnvsubstError);
    expect((err as EnvsubstError).variable).toBe('nope');
  });

  test('a glob with many stars runs in linear time (no backtracking blow-up)', () => {
    const started = Date.now();
    const out = envsubst(`\${v##${'*a'.repeat(40)}b}`, lax({ v: 'a'.repeat(3000) }));
    expect(out).toBe('a'.repeat(3000));
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a large document does not exhaust the stack', () => {
    const doc = 'k: ${v} text $$ ${x:-d}\n'.repeat(50_000);
    expect(envsubst(doc, lax({ v: 'x' }))).toBe('k: x text $ d\n'.repeat(50_000));
  });
});

describe('expand: malformed expressions', () => {
  test.each([
    ['${v:}', 'unable to parse substitution within function'],
    ['${v:1:}', 'unable to parse substitution within function'],
    ['${v#}', 'unable to parse substitution within function'],
    ['${v/#/', 'unable to parse substitution within function'],
    ['${x:-${y}', 'unable to parse substitution within function'],
    ['${v/a}', 'bad substitution'],
    ['${v/a/b', 'bad substitution'],
    ['${v:1:1', 'bad substitution'],
    ['${v#a', 'bad substitution'],
    ['${#}', 'bad substitution'],
    ['${#v:-x}', 'bad substitution'],
    ['${v^^^}', 'bad substitution'],
    ['${v#a${a}}', 'bad substitution'],
    ['${v:1${n}}', 'bad substitution'],
    ['${ v}', 'unable to parse variable name'],
    ['${x:-${}}', 'unable to parse variable name'],
    ['${a.b}', 'missing closing brace'],
    ['${v+d}', 'missing closing brace'],
    ['${v?d}', 'missing closing brace'],
    ['${v[0]}', 'missing closing brace'],
    // Syntax is checked over the whole text before any variable is read.
    ['${missing} ${oops', 'missing closing brace'],
  ])('%s → %s', (input, message) => {
    expect(messageOf(() => envsubst(input, strict({ v: 'abcdef', a: 'b', n: '2' })))).toBe(message);
  });

  test('200 levels of nesting expand, 201 are refused with an EnvsubstError (not a RangeError)', () => {
    const nest = (n: number) => `${'${a:-'.repeat(n)}x${'}'.repeat(n)}`;
    expect(envsubst(nest(200), lax({}))).toBe('x');
    expect(messageOf(() => envsubst(nest(201), lax({})))).toBe('expression nested too deeply');
  });
});
