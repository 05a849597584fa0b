// asc transform: `@span` on a function or method wraps its body in an Observe span named after
// it, closed on every return path. The counterpart of the Rust binding's `#[instrument]`.
//
// The decorated function becomes a thin wrapper that opens the span, calls the original body
// (moved to a private `__span_<name>` twin) and closes the span before returning its result.
// Moving the body instead of rewriting each `return` keeps early returns, loops and nested
// closures untouched. The span name is encoded to UTF-8 at compile time into a static data
// segment, so a decorated call costs two host calls and no encoding.
//
// asconfig.json: "transform": ["./node_modules/wasm-observe/assembly/transform/index.js"]
// Usage: `@span function handle(): void {…}`, or `@span("custom.name")`.

import { Transform } from 'assemblyscript/transform';
import { Node } from 'assemblyscript';

// AssemblyScript's AST enums are `const enum`s, absent at run time; these are their values in
// assemblyscript 0.27 (src/ast.ts, src/common.ts, src/program.ts).
const Kind = { Identifier: 6, Literal: 16, NamedType: 1, Class: 51, Function: 55, Method: 58, Namespace: 59 };
const Flags = { Export: 2, Declare: 4, Const: 8, Static: 32, Get: 2048, Set: 4096, Ambient: 32768 };

const API_MODULE = 'dylibso:observe/api';
const ENTER = '__observe_span_enter';
const EXIT = '__observe_span_exit';
const DECORATOR = 'span';

export default class SpanTransform extends Transform {
  afterParse(parser) {
    for (const source of parser.sources) {
      const first = rewrite(source.statements, '');
      // Each file that uses @span declares the two imports it needs, and no others.
      if (first) source.statements.unshift(external(ENTER, 'span-enter', ['ptr', 'len'], first.range), external(EXIT, 'span-exit', [], first.range));
    }
  }
}

/** Rewrites decorated functions in `statements` in place; returns the first one found. */
function rewrite(statements, prefix, owner = null) {
  let first = null;
  for (let i = 0; i < statements.length; i++) {
    const node = statements[i];
    if (node.kind === Kind.Class) {
      first = rewrite(node.members, `${prefix}${node.name.text}.`, node) ?? first;
    } else if (node.kind === Kind.Namespace) {
      first = rewrite(node.members, `${prefix}${node.name.text}.`) ?? first;
    } else if (node.kind === Kind.Function || node.kind === Kind.Method) {
      const decorator = node.decorators?.find(isSpanDecorator);
      if (!decorator) continue;
      const name = spanName(decorator, prefix + node.name.text);
      statements.splice(i, 1, wrapper(node, decorator, name, owner), twin(node));
      i++;
      first ??= node;
    }
  }
  return first;
}

function isSpanDecorator(d) {
  return d.name.kind === Kind.Identifier && d.name.text === DECORATOR;
}

function spanName(decorator, fallback) {
  const args = decorator.args ?? [];
  if (args.length === 0) return fallback;
  const arg = args[0];
  if (args.length === 1 && arg.kind === Kind.Literal && typeof arg.value === 'string') return arg.value;
  throw new Error(`@${DECORATOR} takes no argument or one string literal (at ${where(decorator)})`);
}

/** The original function, renamed and stripped of decorators and export: the body's new home. */
function twin(node) {
  const r = node.range;
  if (!node.body) throw new Error(`@${DECORATOR} needs a function with a body (at ${where(node)})`);
  if (node.flags & (Flags.Get | Flags.Set)) throw new Error(`@${DECORATOR} does not apply to accessors (at ${where(node)})`);
  const sig = node.signature;
  // The wrapper passes every argument, so the twin needs no default values.
  const params = sig.parameters.map((p) => Node.createParameter(0, p.name, p.type, null, p.range));
  const signature = Node.createFunctionType(params, sig.returnType, sig.explicitThisType, sig.isNullable, sig.range);
  const name = Node.createIdentifierExpression(twinName(node), node.name.range);
  const flags = node.flags & ~Flags.Export;
  return node.kind === Kind.Method
    ? Node.createMethodDeclaration(name, null, flags, node.typeParameters, signature, node.body, r)
    : Node.createFunctionDeclaration(name, null, flags, node.typeParameters, signature, node.body, node.arrowKind, r);
}

/** `{ enter(name); const result = twin(args); exit(); return result; }` under the original name. */
function wrapper(node, decorator, spanName, owner) {
  const r = node.range;
  const id = (text) => Node.createIdentifierExpression(text, r);
  const call = (callee, args, typeArgs = null) => Node.createCallExpression(callee, typeArgs, args, r);

  const bytes = [...Buffer.from(spanName, 'utf8')];
  const u8 = Node.createNamedType(Node.createSimpleTypeName('u8', r), null, false, r);
  const literal = Node.createArrayLiteralExpression(bytes.map((b) => Node.createIntegerLiteralExpression(globalThis.i64_new(b, 0), r)), r);
  const data = call(Node.createPropertyAccessExpression(id('memory'), id('data'), r), [literal], [u8]);
  const enter = Node.createExpressionStatement(call(id(ENTER), [data, Node.createIntegerLiteralExpression(globalThis.i64_new(bytes.length, 0), r)]));
  const exit = Node.createExpressionStatement(call(id(EXIT), []));

  const twinRef = node.kind !== Kind.Method
    ? id(twinName(node))
    : Node.createPropertyAccessExpression(node.flags & Flags.Static ? id(owner.name.text) : Node.createThisExpression(r), id(twinName(node)), r);
  const typeArgs = node.typeParameters?.map((tp) => Node.createNamedType(Node.createSimpleTypeName(tp.name.text, r), null, false, r)) ?? null;
  const inner = call(twinRef, node.signature.parameters.map((p) => id(p.name.text)), typeArgs);

  const body = isVoid(node.signature.returnType)
    ? [enter, Node.createExpressionStatement(inner), exit]
    : [enter, Node.createVariableStatement(null, [Node.createVariableDeclaration(id('__span_result'), null, Flags.Const, null, inner, r)], r), exit, Node.createReturnStatement(id('__span_result'), r)];
  const block = Node.createBlockStatement(body, r);

  const decorators = node.decorators.filter((d) => d !== decorator);
  const keep = decorators.length ? decorators : null;
  return node.kind === Kind.Method
    ? Node.createMethodDeclaration(node.name, keep, node.flags, node.typeParameters, node.signature, block, r)
    : Node.createFunctionDeclaration(node.name, keep, node.flags, node.typeParameters, node.signature, block, node.arrowKind, r);
}

/** `@external("dylibso:observe/api", name) declare function local(params: usize…): void;` */
function external(local, name, paramNames, r) {
  const id = (text) => Node.createIdentifierExpression(text, r);
  const type = (text) => Node.createNamedType(Node.createSimpleTypeName(text, r), null, false, r);
  const str = (text) => Node.createStringLiteralExpression(text, r);
  const params = paramNames.map((p) => Node.createParameter(0, id(p), type('usize'), null, r));
  const decorator = Node.createDecorator(id('external'), [str(API_MODULE), str(name)], r);
  const signature = Node.createFunctionType(params, type('void'), null, false, r);
  return Node.createFunctionDeclaration(id(local), [decorator], Flags.Declare | Flags.Ambient, null, signature, null, 0, r);
}

function isVoid(type) {
  return type.kind === Kind.NamedType && !type.isNullable && type.name.identifier.text === 'void' && !type.name.next;
}

function twinName(node) {
  return `__span_${node.name.text}`;
}

function where(node) {
  return `${node.range.source.normalizedPath}:${node.range.source.lineAt(node.range.start)}`;
}
