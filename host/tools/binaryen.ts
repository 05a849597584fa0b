/**
 * binaryen.js, loaded once on first use (it is a 15 MB module that takes about a second to start),
 * and the feature set the tools read modules with.
 */
import type binaryenType from 'binaryen';

export type Binaryen = typeof binaryenType;
export type BinaryenModule = binaryenType.Module;

let loading: Promise<Binaryen> | undefined;

export function loadBinaryen(): Promise<Binaryen> {
  loading ??= importNatively().then((m) => m.default);
  return loading;
}

/**
 * Under tsx (the CLI, `npx tsx …`) a plain `import('binaryen')` takes 15–20 s: tsx rewrites the
 * dynamic imports of every ES module it loads and builds a source map for the 15 MB file. tsx
 * hands a URL carrying a `tsx-namespace` it did not register straight to Node's own loader; for
 * Node (and vitest) the query only makes it a distinct module URL. Load time: ~1 s.
 */
function importNatively(): Promise<{ default: Binaryen }> {
  const resolve = (import.meta as { resolve?: (specifier: string) => string }).resolve;
  if (typeof resolve !== 'function') return import('binaryen');
  return import(/* @vite-ignore */ `${resolve('binaryen')}?tsx-namespace=wasm-observe-native`) as Promise<{ default: Binaryen }>;
}

/**
 * Every feature binaryen knows except CompactImports: with it enabled binaryen writes imports in
 * the compact-imports encoding, which Node 20 cannot load. The others change nothing in the output
 * unless the input already uses them, so the output needs no more than the input did.
 * (CompactImports is missing from binaryen 132's typings, hence the lookup by name.)
 */
export function readFeatures(binaryen: Binaryen): number {
  const features = binaryen.Features as unknown as Record<string, number>;
  return features.All! & ~(features.CompactImports ?? 0);
}

/** Parts of binaryen.js 132 its typings miss or misplace (checked at run time in tests). */
export interface BinaryenExtras {
  readBinary(data: Uint8Array, features: number): BinaryenModule;
  Function: {
    getNumLocals(func: number): number;
    hasLocalName(func: number, index: number): boolean;
    getLocalName(func: number, index: number): string;
    setLocalName(func: number, index: number, name: string): void;
    setBody(func: number, body: number): void;
  };
  Call: { isReturn(expr: number): boolean; getTarget(expr: number): string; setTarget(expr: number, target: string): void };
  CallIndirect: { isReturn(expr: number): boolean };
  CallRef: { isReturn(expr: number): boolean };
  MemoryGrow: {
    getDelta(expr: number): number;
    setDelta(expr: number, delta: number): void;
  };
  /** The C API's BinaryenFunctionAddVar: adds a local, returns its index. */
  _BinaryenFunctionAddVar(func: number, type: number): number;
}

export function extras(binaryen: Binaryen): BinaryenExtras {
  return binaryen as unknown as BinaryenExtras;
}
