/**
 * Visit every expression in a binaryen function body. binaryen.js has no generic
 * child visitor, so this table lists, for each expression class, the getters that return child
 * expressions (other getters return names, lanes or offsets). An expression kind missing from
 * the table is reported, not skipped: a `memory.grow` or tail call under it would be missed.
 */
import type binaryenType from 'binaryen';

type Binaryen = typeof binaryenType;
type ExpressionRef = number;

/** Class name in binaryen.js → getters of single children and of child lists. */
const CHILDREN: Record<string, { one?: readonly string[]; many?: readonly string[]; counted?: readonly [string, string][] }> = {
  Block: { many: ['getChildren'] },
  If: { one: ['getCondition', 'getIfTrue', 'getIfFalse'] },
  Loop: { one: ['getBody'] },
  Break: { one: ['getCondition', 'getValue'] },
  Switch: { one: ['getCondition', 'getValue'] },
  Call: { many: ['getOperands'] },
  CallIndirect: { one: ['getTarget'], many: ['getOperands'] },
  // CallRef has no list getter, only a count and an indexed one.
  CallRef: { one: ['getTarget'], counted: [['getNumOperands', 'getOperandAt']] },
  LocalGet: {},
  LocalSet: { one: ['getValue'] },
  GlobalGet: {},
  GlobalSet: { one: ['getValue'] },
  TableGet: { one: ['getIndex'] },
  TableSet: { one: ['getIndex', 'getValue'] },
  TableSize: {},
  TableGrow: { one: ['getValue', 'getDelta'] },
  MemorySize: {},
  MemoryGrow: { one: ['getDelta'] },
  Load: { one: ['getPtr'] },
  Store: { one: ['getPtr', 'getValue'] },
  Const: {},
  Unary: { one: ['getValue'] },
  Binary: { one: ['getLeft', 'getRight'] },
  Select: { one: ['getIfTrue', 'getIfFalse', 'getCondition'] },
  Drop: { one: ['getValue'] },
  Return: { one: ['getValue'] },
  Nop: {},
  Unreachable: {},
  Pop: {},
  AtomicRMW: { one: ['getPtr', 'getValue'] },
  AtomicCmpxchg: { one: ['getPtr', 'getExpected', 'getReplacement'] },
  AtomicWait: { one: ['getPtr', 'getExpected', 'getTimeout'] },
  AtomicNotify: { one: ['getPtr', 'getNotifyCount'] },
  AtomicFence: {},
  SIMDExtract: { one: ['getVec'] },
  SIMDReplace: { one: ['getVec', 'getValue'] },
  SIMDShuffle: { one: ['getLeft', 'getRight'] },
  SIMDTernary: { one: ['getA', 'getB', 'getC'] },
  SIMDShift: { one: ['getVec', 'getShift'] },
  SIMDLoad: { one: ['getPtr'] },
  SIMDLoadStoreLane: { one: ['getPtr', 'getVec'] },
  MemoryInit: { one: ['getDest', 'getOffset', 'getSize'] },
  DataDrop: {},
  MemoryCopy: { one: ['getDest', 'getSource', 'getSize'] },
  MemoryFill: { one: ['getDest', 'getValue', 'getSize'] },
  RefNull: {},
  RefIsNull: { one: ['getValue'] },
  RefAs: { one: ['getValue'] },
  RefFunc: {},
  RefEq: { one: ['getLeft', 'getRight'] },
  RefTest: { one: ['getRef'] },
  RefCast: { one: ['getRef'] },
  BrOn: { one: ['getRef'] },
  StructNew: { many: ['getOperands'] },
  StructGet: { one: ['getRef'] },
  StructSet: { one: ['getRef', 'getValue'] },
  ArrayNew: { one: ['getInit', 'getSize'] },
  ArrayNewFixed: { many: ['getValues'] },
  ArrayNewData: { one: ['getOffset', 'getSize'] },
  ArrayNewElem: { one: ['getOffset', 'getSize'] },
  ArrayGet: { one: ['getRef', 'getIndex'] },
  ArraySet: { one: ['getRef', 'getIndex', 'getValue'] },
  ArrayLen: { one: ['getRef'] },
  ArrayFill: { one: ['getRef', 'getIndex', 'getValue', 'getSize'] },
  ArrayCopy: { one: ['getDestRef', 'getDestIndex', 'getSrcRef', 'getSrcIndex', 'getLength'] },
  ArrayInitData: { one: ['getRef', 'getIndex', 'getOffset', 'getSize'] },
  ArrayInitElem: { one: ['getRef', 'getIndex', 'getOffset', 'getSize'] },
  Try: { one: ['getBody'], many: ['getCatchBodies'] },
  Throw: { many: ['getOperands'] },
  Rethrow: {},
  TupleMake: { many: ['getOperands'] },
  TupleExtract: { one: ['getTuple'] },
  RefI31: { one: ['getValue'] },
  I31Get: { one: ['getI31'] },
};

type Getter = (expr: ExpressionRef) => ExpressionRef | ExpressionRef[];
interface Kind {
  readonly name: string;
  readonly getters: readonly { readonly get: Getter; readonly many: boolean }[];
}

export class ExpressionWalker {
  private readonly kinds = new Map<number, Kind>();

  constructor(private readonly binaryen: Binaryen) {
    const api = binaryen as unknown as Record<string, Record<string, Getter> | number>;
    for (const [name, children] of Object.entries(CHILDREN)) {
      const id = api[`${name}Id`];
      const cls = api[name];
      if (typeof id !== 'number') continue;
      // Leaves need no class: binaryen.js has none for some (Nop, RefNull, Pop).
      const getter = (g: string): Getter => (cls !== undefined && typeof cls !== 'number' ? cls[g]! : undefined!);
      const getters = [
        ...(children.one ?? []).map((g) => ({ get: getter(g), many: false })),
        ...(children.many ?? []).map((g) => ({ get: getter(g), many: true })),
        ...(children.counted ?? []).map(([count, at]) => {
          const n = getter(count) as (e: ExpressionRef) => number;
          const get = getter(at) as unknown as (e: ExpressionRef, i: number) => ExpressionRef;
          const all: Getter = (e) => Array.from({ length: n(e) }, (_, i) => get(e, i));
          return { get: typeof n === 'function' && typeof get === 'function' ? all : undefined!, many: true };
        }),
      ];
      if (getters.some((g) => typeof g.get !== 'function')) throw new Error(`binaryen.js: ${name} lacks a getter`);
      this.kinds.set(id, { name, getters });
    }
  }

  /** Calls `visit` with every expression under `root` (iterative: real bodies nest deeply). */
  walk(root: ExpressionRef, visit: (expr: ExpressionRef, id: number) => void): void {
    const stack: ExpressionRef[] = root ? [root] : [];
    while (stack.length > 0) {
      const expr = stack.pop()!;
      const id = this.binaryen.getExpressionId(expr);
      visit(expr, id);
      const kind = this.kinds.get(id);
      if (!kind) throw new UnknownExpressionError(id);
      for (const { get, many } of kind.getters) {
        const child = get(expr);
        if (many) for (const c of child as ExpressionRef[]) stack.push(c);
        else if (child) stack.push(child as ExpressionRef);
      }
    }
  }
}

export class UnknownExpressionError extends Error {
  constructor(readonly expressionId: number) {
    super(`expression kind ${expressionId} is not known to the instrumenter`);
  }
}
