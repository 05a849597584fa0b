/**
 * Automatic instrumentation: rewrite a module so each selected function reports `enter(index)`
 * and `exit(index)` through `dylibso:observe/instrument`, and each `memory.grow` reports its delta
 * through `memory-grow` first. `index` is the function's index in the OUTPUT module, whose `name`
 * section maps it to the function's original name — that is how every Observe host names spans.
 *
 * How a function is wrapped: binaryen.js cannot rename a function, so the function keeps its name,
 * index, exports and table slots, its body moves into a new function, and its own body becomes
 * `enter; result = call body(params…); exit; result`. Every normal return of the body — `return`,
 * a branch to the function label, falling off the end — comes back through that call, so `exit`
 * runs on every path without rewriting returns. A trap unwinds past `exit`; hosts close what a
 * trap leaves open. Functions that make tail calls are left alone (see `rewrite`).
 */
import { IMPORTS, INSTRUMENT_MODULE, INSTRUMENT_VERSION_GLOBALS, LEGACY_MODULE, importSpec } from '../abi/spec.ts';
import type { ImportKind } from '../abi/spec.ts';
import { ExpressionWalker, UnknownExpressionError } from './expressions.ts';
import { extras, loadBinaryen, readFeatures, type Binaryen, type BinaryenModule } from './binaryen.ts';
import * as wasm from './wasm-binary.ts';
import { INSTRUMENT_SECTION, SMALL_LEAF, type InstrumentRecord } from './instrument-record.ts';

export interface InstrumentOptions {
  /** Instrument only functions whose name matches one of these globs (`*`, `?`). Default: all. */
  readonly include?: readonly string[];
  /** Never instrument functions whose name matches one of these globs. */
  readonly exclude?: readonly string[];
  /** Instrument only functions the module exports. */
  readonly exportedOnly?: boolean;
  /** Import `dylibso_observe.instrument_*` (for hosts predating `dylibso:observe/instrument`). */
  readonly legacy?: boolean;
  /** Report `memory.grow` deltas (default true). */
  readonly memoryGrow?: boolean;
  /** Make calls to imported functions (other than the Observe API) spans too (default true). */
  readonly imports?: boolean;
  /** Instrument small leaf functions too (by default they are left out: see `SMALL_LEAF`). */
  readonly allFunctions?: boolean;
}

export interface InstrumentResult {
  readonly bytes: Uint8Array;
  /** Output function index → original name, for every instrumented function. */
  readonly instrumented: ReadonlyMap<number, string>;
  /** Output index of each wrapper → the import it reports (`module.name`). */
  readonly wrappedImports: ReadonlyMap<number, string>;
  /** Small leaf functions the selection matched but left out (see `SMALL_LEAF`). */
  readonly smallLeaves: number;
  readonly memoryGrowSites: number;
  /** Things the caller should tell the user; the output is still good. */
  readonly warnings: readonly string[];
}

/** Refusal with a message meant for the user; nothing was produced. */
export class InstrumentError extends Error {}

/**
 * Version stamped into `wasm_instr_version_major/minor`, as Dylibso's instrumenting compiler
 * does. Dylibso's Rust host requires major 0 and minor ≥ 4; its Go host compares the same way.
 */
export const INSTRUMENT_VERSION = { major: 0, minor: 4 } as const;

export async function instrumentModule(bytes: Uint8Array, options: InstrumentOptions = {}): Promise<Uint8Array> {
  return (await instrument(bytes, options)).bytes;
}

export async function instrument(bytes: Uint8Array, options: InstrumentOptions = {}): Promise<InstrumentResult> {
  const input = parseInput(bytes);
  const binaryen = await loadBinaryen();
  const wasDebugInfo = binaryen.getDebugInfo();
  // Debug info on: binaryen keeps the names it reads and writes a name section.
  binaryen.setDebugInfo(true);
  let module: BinaryenModule | undefined;
  try {
    module = read(binaryen, bytes);
    const rewritten = rewrite(binaryen, module, input, options);
    const out = finish(module, bytes, input, rewritten);
    return { bytes: out, ...rewritten.result };
  } finally {
    module?.dispose();
    binaryen.setDebugInfo(wasDebugInfo);
  }
}

interface Input {
  readonly sections: wasm.Section[];
  readonly names: Map<number, string>;
  readonly importedFunctions: number;
  readonly importedGlobals: number;
}

function parseInput(bytes: Uint8Array): Input {
  let sections: wasm.Section[];
  let imports: wasm.Import[];
  try {
    sections = wasm.sections(bytes);
    imports = wasm.imports(sections);
  } catch (err) {
    throw new InstrumentError(`cannot read the module: ${(err as Error).message}`);
  }
  const instrumentKinds: readonly ImportKind[] = ['function-enter', 'function-exit', 'memory-grow'];
  const observed = imports.find((i) => instrumentKinds.includes(importSpec(i.module, i.name)?.kind as ImportKind));
  if (observed) {
    throw new InstrumentError(`module is already instrumented: it imports ${observed.module}.${observed.name}`);
  }
  const stamp = wasm.exports(sections).find((e) => (INSTRUMENT_VERSION_GLOBALS as readonly string[]).includes(e.name));
  if (stamp) throw new InstrumentError(`module is already instrumented: it exports ${stamp.name}`);
  return {
    sections,
    names: wasm.functionNames(sections),
    importedFunctions: imports.filter((i) => i.kind === 'func').length,
    importedGlobals: imports.filter((i) => i.kind === 'global').length,
  };
}

function read(binaryen: Binaryen, bytes: Uint8Array): BinaryenModule {
  let module: BinaryenModule;
  try {
    module = extras(binaryen).readBinary(bytes, readFeatures(binaryen));
  } catch (err) {
    // binaryen's own message is terse ("error in parsing wasm binary"); the engine says why.
    const why = engineError(bytes);
    throw new InstrumentError(
      why ? `not a valid module: ${why}` : `binaryen cannot read the module (a WebAssembly feature it does not support?): ${(err as Error).message}`,
    );
  }
  if (!quietly(() => module.validate())) {
    module.dispose();
    throw new InstrumentError('the module does not validate (or uses WebAssembly features binaryen 132 does not support)');
  }
  return module;
}

function engineError(bytes: Uint8Array): string | undefined {
  try {
    new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** binaryen prints validation errors to stdout; a CLI must not mix them into its output. */
function quietly<T>(fn: () => T): T {
  const write = process.stdout.write;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    (process.stderr.write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest)) as typeof write;
  try {
    return fn();
  } finally {
    process.stdout.write = write;
  }
}

interface Rewritten {
  /** Output function index → name for the output's name section. */
  readonly outputNames: Map<number, string>;
  /** binaryen internal name → expected output index, checked against what binaryen writes. */
  readonly expectedIndex: Map<string, number>;
  readonly result: Omit<InstrumentResult, 'bytes'>;
}

interface FunctionEntry {
  readonly ref: number;
  readonly internal: string;
  readonly display: string;
  readonly imported: boolean;
  /** `module.name` of an import; empty for a defined function. */
  readonly importName: string;
  /** An import of the Observe API. */
  readonly observe: boolean;
}

function rewrite(binaryen: Binaryen, module: BinaryenModule, input: Input, options: InstrumentOptions): Rewritten {
  const functions: FunctionEntry[] = [];
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const ref = module.getFunctionByIndex(i);
    const info = binaryen.getFunctionInfo(ref);
    const imported = Boolean(info.module);
    const importName = imported ? `${info.module}.${info.base}` : '';
    const display = input.names.get(i) ?? (imported ? importName : `wasm-function[${i}]`);
    const observe = imported && importSpec(info.module!, info.base!) !== undefined;
    functions.push({ ref, internal: info.name, display, imported, importName, observe });
  }
  if (functions.filter((f) => f.imported).length !== input.importedFunctions) {
    throw new Error('binaryen reordered the imported functions; function indices cannot be trusted');
  }

  const walker = new ExpressionWalker(binaryen);
  const growSites: number[] = [];
  const tailCalling = new Set<number>();
  const raw = extras(binaryen);
  const importedNames = new Set(functions.filter((f) => f.imported).map((f) => f.internal));
  /** Direct calls to imported functions, by the import's internal name. */
  const importCalls = new Map<string, number[]>();
  const smallLeaves = new Set<number>();
  const branching = new Set([binaryen.CallId, binaryen.CallIndirectId, binaryen.CallRefId, binaryen.LoopId, binaryen.MemoryGrowId]);
  functions.forEach((f, position) => {
    if (f.imported) return;
    let size = 0;
    let leaf = true;
    try {
      walker.walk(binaryen.getFunctionInfo(f.ref).body, (expr, id) => {
        size++;
        if (branching.has(id)) leaf = false;
        if (id === binaryen.MemoryGrowId) growSites.push(expr);
        const target = id === binaryen.CallId ? raw.Call.getTarget(expr) : undefined;
        if (target !== undefined && importedNames.has(target)) {
          (importCalls.get(target) ?? importCalls.set(target, []).get(target)!).push(expr);
        }
        if (
          (id === binaryen.CallId && raw.Call.isReturn(expr)) ||
          (id === binaryen.CallIndirectId && raw.CallIndirect.isReturn(expr)) ||
          (id === binaryen.CallRefId && raw.CallRef.isReturn(expr))
        ) {
          tailCalling.add(position);
        }
      });
    } catch (err) {
      if (!(err instanceof UnknownExpressionError)) throw err;
      throw new InstrumentError(`function ${f.display} uses an instruction (binaryen expression ${err.expressionId}) the instrumenter cannot look inside`);
    }
    if (leaf && size <= SMALL_LEAF) smallLeaves.add(position);
  });
  if (options.memoryGrow === false) growSites.length = 0;
  // A wrapped function's tail calls would return to the wrapper, growing the stack on each one:
  // deep tail recursion that ran before would overflow. Such functions are left as they are.
  const matched = select(binaryen, module, functions, options).filter((p) => !tailCalling.has(p));
  const selected = options.allFunctions ? matched : matched.filter((p) => !smallLeaves.has(p));
  const hostImports =
    options.imports === false
      ? []
      : selectImports(functions, options).filter((p) => importCalls.has(functions[p]!.internal));
  if (selected.length === 0 && hostImports.length === 0 && growSites.length === 0) {
    throw new InstrumentError('nothing to instrument: no function matches the selection and the module never grows memory');
  }

  const unique = uniqueNamer(module);
  const added = addImports(binaryen, module, unique, options.legacy === true, {
    'function-enter': selected.length + hostImports.length > 0,
    'function-exit': selected.length + hostImports.length > 0,
    'memory-grow': growSites.length > 0,
  });
  // The writer emits imported functions first: each defined function moves up by the imports added.
  const outputIndex = (position: number): number =>
    position < input.importedFunctions ? position : position + added.length;

  const outputNames = new Map<number, string>();
  const expectedIndex = new Map<string, number>();
  functions.forEach((f, position) => {
    outputNames.set(outputIndex(position), f.display);
    expectedIndex.set(f.internal, outputIndex(position));
  });
  added.forEach((a, k) => {
    outputNames.set(input.importedFunctions + k, `${a.module}.${a.name}`);
    expectedIndex.set(a.internal, input.importedFunctions + k);
  });
  let nextIndex = functions.length + added.length;
  const addFunction: AddFunction = (name, display, params, results, vars, body) => {
    const ref = module.addFunction(name, params, results, vars, body);
    outputNames.set(nextIndex, display);
    expectedIndex.set(name, nextIndex++);
    return ref;
  };

  const imp = (kind: ImportKind): string => added.find((a) => a.kind === kind)!.internal;
  if (growSites.length > 0) {
    reportGrowth(binaryen, module, growSites, imp('memory-grow'), unique, addFunction);
  }

  const calls = { enter: imp('function-enter'), exit: imp('function-exit') };
  const instrumented = new Map<number, string>();
  for (const position of selected) {
    const f = functions[position]!;
    const index = outputIndex(position);
    wrap(binaryen, module, f, index, calls, unique, addFunction);
    instrumented.set(index, f.display);
  }

  const wrappedImports = new Map<number, string>();
  for (const position of hostImports) {
    const f = functions[position]!;
    const info = binaryen.getFunctionInfo(f.ref);
    const index = nextIndex;
    const name = unique(`${f.internal}$observed`);
    const params = binaryen.expandType(info.params);
    const call = module.call(f.internal, params.map((t, k) => module.local.get(k, t)), info.results);
    const body = spanAround(binaryen, module, index, calls, call, info.results, params.length);
    addFunction(name, f.importName, info.params, info.results, info.results === binaryen.none ? [] : [info.results], body);
    for (const site of importCalls.get(f.internal)!) raw.Call.setTarget(site, name);
    wrappedImports.set(index, f.importName);
  }

  for (const [global, value] of [
    [INSTRUMENT_VERSION_GLOBALS[0], INSTRUMENT_VERSION.major],
    [INSTRUMENT_VERSION_GLOBALS[1], INSTRUMENT_VERSION.minor],
  ] as const) {
    const internal = unique(global, (n) => module.getGlobal(n) !== 0);
    module.addGlobal(internal, binaryen.i32, false, module.i32.const(value));
    module.addGlobalExport(internal, global);
  }

  const warnings: string[] = [];
  const skipped = [...tailCalling].map((p) => functions[p]!.display);
  if (skipped.length > 0) {
    warnings.push(`${skipped.length} function(s) make tail calls and were not instrumented: ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', …' : ''}`);
  }
  if (input.importedGlobals > 0) {
    warnings.push(
      `the module imports ${input.importedGlobals} global(s): Dylibso's Rust and Go hosts read the version globals without counting imported globals and may reject this module`,
    );
  }
  if (options.legacy) {
    warnings.push(`legacy imports (${LEGACY_MODULE}): Dylibso's Rust host refuses modules that import them`);
  }
  const result = { instrumented, wrappedImports, smallLeaves: matched.length - selected.length, memoryGrowSites: growSites.length, warnings };
  return { outputNames, expectedIndex, result };
}

function select(binaryen: Binaryen, module: BinaryenModule, functions: readonly FunctionEntry[], options: InstrumentOptions): number[] {
  const named = byName(options);
  const exported = new Set<string>();
  for (let i = 0; i < module.getNumExports(); i++) {
    const info = binaryen.getExportInfo(module.getExportByIndex(i));
    if (info.kind === binaryen.ExternalFunction) exported.add(info.value);
  }
  return positions(functions, (f) => !f.imported && (!options.exportedOnly || exported.has(f.internal)) && named(f.display));
}

/** Imported functions to wrap: every one but the Observe API's, matched by `module.name`. */
function selectImports(functions: readonly FunctionEntry[], options: InstrumentOptions): number[] {
  if (options.exportedOnly) return [];
  const named = byName(options);
  return positions(functions, (f) => f.imported && !f.observe && named(f.importName));
}

/** The `include` / `exclude` globs as one test of a name. */
function byName(options: InstrumentOptions): (name: string) => boolean {
  const include = options.include?.length ? options.include.map(glob) : undefined;
  const exclude = (options.exclude ?? []).map(glob);
  return (name) => (include === undefined || include.some((re) => re.test(name))) && !exclude.some((re) => re.test(name));
}

function positions(functions: readonly FunctionEntry[], keep: (f: FunctionEntry) => boolean): number[] {
  const out: number[] = [];
  functions.forEach((f, position) => {
    if (keep(f)) out.push(position);
  });
  return out;
}

/** `*` any run of characters, `?` one character; the whole name must match. */
function glob(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

type Unique = (base: string, taken?: (name: string) => boolean) => string;

function uniqueNamer(module: BinaryenModule): Unique {
  const used = new Set<string>();
  return (base, taken = (n) => module.getFunction(n) !== 0) => {
    let name = base;
    for (let k = 1; used.has(name) || taken(name); k++) name = `${base}.${k}`;
    used.add(name);
    return name;
  };
}

interface AddedImport {
  readonly kind: ImportKind;
  readonly module: string;
  readonly name: string;
  readonly internal: string;
}

function addImports(
  binaryen: Binaryen,
  module: BinaryenModule,
  unique: Unique,
  legacy: boolean,
  wanted: Record<'function-enter' | 'function-exit' | 'memory-grow', boolean>,
): AddedImport[] {
  const namespace = legacy ? LEGACY_MODULE : INSTRUMENT_MODULE;
  const added: AddedImport[] = [];
  for (const [kind, want] of Object.entries(wanted) as [ImportKind, boolean][]) {
    if (!want) continue;
    const spec = IMPORTS.find((i) => i.module === namespace && i.kind === kind)!;
    const internal = unique(`observe.${spec.name}`);
    const params = binaryen.createType(spec.params.map((t) => binaryen[t]));
    module.addFunctionImport(internal, spec.module, spec.name, params, binaryen.none);
    added.push({ kind, module: spec.module, name: spec.name, internal });
  }
  return added;
}

type AddFunction = (name: string, display: string, params: number, results: number, vars: readonly number[], body: number) => number;

/** Each `memory.grow(delta)` becomes `memory.grow(report(delta))`: reported, then grown. */
function reportGrowth(binaryen: Binaryen, module: BinaryenModule, sites: readonly number[], growImport: string, unique: Unique, addFunction: AddFunction): void {
  const helpers = new Map<number, string>();
  const helperFor = (type: number): string => {
    let name = helpers.get(type);
    if (name) return name;
    name = unique(`observe.report_memory_grow_${type === binaryen.i64 ? 'i64' : 'i32'}`);
    const delta = module.local.get(0, type);
    // memory64 grows by an i64 page count; the ABI's parameter is i32.
    const pages = type === binaryen.i64 ? module.i32.wrap(delta) : delta;
    const body = module.block(
      null,
      [module.call(growImport, [pages], binaryen.none), module.local.get(0, type)],
      type,
    );
    addFunction(name, name, type, type, [], body);
    helpers.set(type, name);
    return name;
  };
  for (const site of sites) {
    const delta = extras(binaryen).MemoryGrow.getDelta(site);
    const type = binaryen.getExpressionType(delta);
    extras(binaryen).MemoryGrow.setDelta(site, module.call(helperFor(type), [delta], type));
  }
}

function wrap(
  binaryen: Binaryen,
  module: BinaryenModule,
  f: FunctionEntry,
  index: number,
  calls: { enter: string; exit: string },
  unique: Unique,
  addFunction: AddFunction,
): void {
  const info = binaryen.getFunctionInfo(f.ref);
  const bodyName = unique(`${f.internal}$body`);
  const body = addFunction(bodyName, `${f.display} [body]`, info.params, info.results, info.vars, info.body);
  copyLocalNames(binaryen, f.ref, body);

  const args = binaryen.expandType(info.params).map((t, k) => module.local.get(k, t));
  const callBody = module.call(bodyName, args, info.results);
  const result = info.results === binaryen.none ? -1 : extras(binaryen)._BinaryenFunctionAddVar(f.ref, info.results);
  const wrapper = spanAround(binaryen, module, index, calls, callBody, info.results, result);
  extras(binaryen).Function.setBody(f.ref, wrapper);
  // Drops the body's locals, now unused here: wasm zeroes every local on each call.
  module.runPassesOnFunction(f.ref, ['reorder-locals']);
}

/** `enter(index); [local =] call; exit(index); [local]`: a call reported as a span. */
function spanAround(
  binaryen: Binaryen,
  module: BinaryenModule,
  index: number,
  calls: { enter: string; exit: string },
  call: number,
  results: number,
  resultLocal: number,
): number {
  const enter = module.call(calls.enter, [module.i32.const(index)], binaryen.none);
  const exit = module.call(calls.exit, [module.i32.const(index)], binaryen.none);
  if (results === binaryen.none) return module.block(null, [enter, call, exit], binaryen.none);
  return module.block(null, [enter, module.local.set(resultLocal, call), exit, module.local.get(resultLocal, results)], results);
}

function copyLocalNames(binaryen: Binaryen, from: number, to: number): void {
  const fn = extras(binaryen).Function;
  for (let k = 0; k < fn.getNumLocals(from); k++) {
    if (fn.hasLocalName(from, k)) fn.setLocalName(to, k, fn.getLocalName(from, k));
  }
}

function finish(module: BinaryenModule, original: Uint8Array, input: Input, rewritten: Rewritten): Uint8Array {
  if (!quietly(() => module.validate())) {
    throw new Error('internal error: the instrumented module does not validate');
  }
  const written = wasm.sections(module.emitBinary());
  // binaryen names the functions it has explicit names for; each must sit where we computed.
  for (const [index, name] of wasm.functionNames(written)) {
    const expected = rewritten.expectedIndex.get(name);
    if (expected !== undefined && expected !== index) {
      throw new Error(`internal error: ${name} written at index ${index}, expected ${expected}`);
    }
  }
  const named = wasm.replaceFunctionNames(written, rewritten.outputNames);
  const { instrumented, wrappedImports, smallLeaves } = rewritten.result;
  const record: InstrumentRecord = { functions: instrumented.size, imports: wrappedImports.size, smallLeaves, smallLeafBound: SMALL_LEAF };
  const stamp = wasm.newCustomSection(INSTRUMENT_SECTION, new TextEncoder().encode(JSON.stringify(record)));
  const out = wasm.encode([...wasm.withInputCustomSections(named, input.sections), stamp]);
  if (WebAssembly.validate(original as BufferSource) && !WebAssembly.validate(out as BufferSource)) {
    throw new Error('internal error: the instrumented module does not compile in this Node');
  }
  return out;
}
