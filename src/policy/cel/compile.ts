import { celEnv, isCelError, parse, plan, type CelInput, type CelValue } from '@bufbuild/cel';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { cachedRe2, kubernetesFuncs } from './library/index.js';

/** The variables a ValidatingAdmissionPolicy expression sees. */
export interface CelVars {
  object: CelInput;
  oldObject: CelInput;
  request: CelInput;
  params: CelInput;
  namespaceObject: CelInput;
  variables: CelInput;
}

/** A compiled expression: `run` returns a value or throws an Error. */
export interface CompiledExpr {
  source: string;
  run: (vars: CelVars) => CelValue;
  /** The `variables.<name>` entries the expression reads. */
  uses: ReadonlySet<string>;
}

const env = celEnv({ funcs: [...kubernetesFuncs], re2: cachedRe2 });
const ROOTS = new Set(['object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables']);
// Type names are identifiers in CEL (`type(x) == string`).
const TYPE_IDENTS = new Set([
  'int',
  'uint',
  'double',
  'bool',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
  'dyn',
]);
// Operators the planner implements itself rather than through the function resolver.
const PLANNER_OPS = new Set(['_&&_', '_||_', '_?_:_', '_[_]', '@not_strictly_false']);

/** Thrown when an expression does not parse or names something the environment lacks. */
export class CelCompileError extends Error {}

interface Scope {
  locals: ReadonlySet<string>;
  variables: ReadonlySet<string>;
  uses: Set<string>;
}

// @bufbuild/cel resolves names only at evaluation time; this walk turns an undeclared variable or
// function into a load-time error, as the Kubernetes type checker does.
function check(e: Expr, scope: Scope): void {
  const k = e.exprKind;
  switch (k.case) {
    case 'identExpr': {
      const name = k.value.name;
      if (name === 'authorizer') {
        throw new CelCompileError(
          "undeclared reference to 'authorizer': syncgate renders offline and has no authorizer",
        );
      }
      if (name === 'variables' && !scope.locals.has(name)) for (const v of scope.variables) scope.uses.add(v);
      if (!ROOTS.has(name) && !scope.locals.has(name) && !TYPE_IDENTS.has(name)) {
        throw new CelCompileError(`undeclared reference to '${name}'`);
      }
      return;
    }
    case 'selectExpr': {
      const op = k.value.operand;
      if (
        op?.exprKind.case === 'identExpr' &&
        op.exprKind.value.name === 'variables' &&
        !scope.locals.has('variables')
      ) {
        if (!scope.variables.has(k.value.field))
          throw new CelCompileError(`undefined variable 'variables.${k.value.field}'`);
        scope.uses.add(k.value.field);
        return;
      }
      if (op) check(op, scope);
      return;
    }
    case 'callExpr': {
      const fn = k.value.function;
      // `strings.quote(x)` parses as a method on an identifier; it names a namespaced function.
      const qualifier = k.value.target ? qualifiedName(k.value.target) : undefined;
      if (
        qualifier !== undefined &&
        !scope.locals.has(qualifier.split('.')[0] ?? '') &&
        env.funcs.find(`${qualifier}.${fn}`)
      ) {
        for (const a of k.value.args) check(a, scope);
        return;
      }
      if (k.value.target) check(k.value.target, scope);
      for (const a of k.value.args) check(a, scope);
      if (!PLANNER_OPS.has(fn)) {
        const group = env.funcs.find(fn);
        if (!group) throw new CelCompileError(`undeclared reference to '${fn}'`);
        const arity = k.value.args.length;
        const member = k.value.target !== undefined;
        const fits = [...group].some(
          (f) => f.arguments.length === arity && (f.target !== undefined) === member,
        );
        if (!fits) {
          throw new CelCompileError(
            `found no matching overload for '${fn}' with ${String(arity)} argument(s)${member ? ' as a method' : ''}`,
          );
        }
      }
      return;
    }
    case 'listExpr':
      for (const x of k.value.elements) check(x, scope);
      return;
    case 'structExpr':
      if (k.value.messageName !== '')
        throw new CelCompileError(`unsupported message construction '${k.value.messageName}'`);
      for (const entry of k.value.entries) {
        if (entry.keyKind.case === 'mapKey') check(entry.keyKind.value, scope);
        if (entry.value) check(entry.value, scope);
      }
      return;
    case 'comprehensionExpr': {
      const c = k.value;
      if (c.iterRange) check(c.iterRange, scope);
      if (c.accuInit) check(c.accuInit, scope);
      const inner: Scope = {
        ...scope,
        locals: new Set([...scope.locals, c.iterVar, c.iterVar2, c.accuVar].filter((x) => x !== '')),
      };
      for (const x of [c.loopCondition, c.loopStep, c.result]) if (x) check(x, inner);
      return;
    }
    default:
      return;
  }
}

function qualifiedName(e: Expr): string | undefined {
  const k = e.exprKind;
  if (k.case === 'identExpr') return k.value.name;
  if (k.case === 'selectExpr' && k.value.operand && !k.value.testOnly) {
    const base = qualifiedName(k.value.operand);
    return base === undefined ? undefined : `${base}.${k.value.field}`;
  }
  return undefined;
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return (msg.split('\n')[0] ?? msg).replace(/^<input>:/, '');
}

/**
 * Parses and checks one expression against the VAP environment and plans it once; `variables`
 * names the `variables.<name>` entries the expression may read.
 */
export function compileExpression(source: string, variables: ReadonlySet<string> = new Set()): CompiledExpr {
  if (source.trim() === '') throw new CelCompileError('expression is empty');
  let parsed;
  try {
    parsed = parse(source);
  } catch (e) {
    const hint = /\.\?|\[\?|\{\?/.test(source)
      ? ' (optional syntax `?.`/`[?]` is not supported: use has())'
      : '';
    throw new CelCompileError(`syntax error: ${firstLine(e)}${hint}`, { cause: e });
  }
  const uses = new Set<string>();
  check(parsed.expr, { locals: new Set(), variables, uses });
  const program = plan(env, parsed);
  const run = (vars: CelVars): CelValue => {
    const r = program(vars as unknown as Record<string, CelInput>);
    if (isCelError(r)) throw new Error(firstLine(r));
    return r;
  };
  return { source, run, uses };
}
