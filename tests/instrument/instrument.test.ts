/**
 * The instrumented module itself: indices that match the output's name section, `exit` on every
 * return path, and everything else (exports, table, start, custom sections) kept.
 */
import { describe, expect, it } from 'vitest';
import { functionNames } from '../../host/abi/names.ts';
import { INSTRUMENT_MODULE, INSTRUMENT_VERSION_GLOBALS, LEGACY_MODULE } from '../../host/abi/spec.ts';
import { INSTRUMENT_VERSION, InstrumentError, instrument, instrumentModule } from '../../host/tools/instrument.ts';
import { SMALL_LEAF } from '../../host/tools/instrument-record.ts';
import { inspectModule } from '../../host/tools/inspect.ts';
import { customSection } from '../../host/tools/wasm-binary.ts';
import { ALL, calls, short } from './guests.ts';
import { edgeCases } from './edge-cases.ts';
import { watToWasm } from '../../host/node/load.ts';

type Fn = (...args: number[]) => number;

/** Instantiates with a recorder for the instrument imports: every call, in order, by name. */
async function record(bytes: Uint8Array, imports: WebAssembly.Imports = {}, legacy = false) {
  const module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  const names = functionNames(module);
  const log: string[] = [];
  const grown: number[] = [];
  const hooks = {
    enter: (i: number) => log.push(`>${short(names.get(i) ?? `?${i}`)}`),
    exit: (i: number) => log.push(`<${short(names.get(i) ?? `?${i}`)}`),
    grow: (pages: number) => grown.push(pages),
  };
  const observe: WebAssembly.Imports = legacy
    ? { [LEGACY_MODULE]: { instrument_enter: hooks.enter, instrument_exit: hooks.exit, instrument_memory_grow: hooks.grow } }
    : { [INSTRUMENT_MODULE]: { enter: hooks.enter, exit: hooks.exit, 'memory-grow': hooks.grow } };
  const instance = await WebAssembly.instantiate(module, { ...imports, ...observe });
  // What the start function reported, apart from what the test's calls report.
  const startLog = log.splice(0);
  return { module, instance, exports: instance.exports as Record<string, Fn>, log, startLog, grown, names };
}

describe('instrumenting an AssemblyScript module', () => {
  it('reports every exported function under the name the output name section gives it', async () => {
    const input = await calls();
    const { bytes, instrumented } = await instrument(input, ALL);
    const run = await record(bytes);
    const exported = WebAssembly.Module.exports(run.module).filter((e) => e.kind === 'function');
    expect(exported.length).toBeGreaterThan(5);
    for (const { name } of exported) {
      if (name === 'explode') continue;
      run.log.length = 0;
      run.exports[name]!(name === 'growBy' ? 0 : 3);
      // The first call reported is the export itself, and the reported index names it.
      expect(run.log[0], name).toBe(`>${name}`);
      expect(run.log.at(-1), name).toBe(`<${name}`);
    }
    // Every defined function of the input is instrumented, and named as in the input.
    const inputNames = functionNames(new WebAssembly.Module(input as Uint8Array<ArrayBuffer>));
    expect([...instrumented.values()].sort()).toEqual([...inputNames.values()].sort());
    for (const [index, name] of instrumented) expect(run.names.get(index)).toBe(name);
  });

  it('calls exit on every return path: early returns, loops left by br, recursion', async () => {
    const run = await record(await instrumentModule(await calls(), ALL));
    for (const n of [-5, 0, 500, 7]) {
      run.log.length = 0;
      run.exports.classify!(n);
      expect(run.log).toEqual(['>classify', '<classify']);
    }
    run.log.length = 0;
    expect(run.exports.sumOdd!(4)).toBe(1 + 3);
    expect(run.log).toEqual(['>sumOdd', ...Array(4).fill(['>isOdd', '<isOdd']).flat(), '<sumOdd']);
    run.log.length = 0;
    expect(run.exports.fib!(2)).toBe(1);
    expect(run.log).toEqual(['>fib', '>fib', '<fib', '>fib', '<fib', '<fib']);
  });

  it('leaves enter without exit only where a trap unwinds', async () => {
    const run = await record(await instrumentModule(await calls(), ALL));
    expect(() => run.exports.explode!(2)).toThrow(WebAssembly.RuntimeError);
    expect(run.log).toEqual(['>explode', '>explode', '>explode']);
  });

  it('reports each memory.grow delta before growing, in functions it instruments or not', async () => {
    const input = await calls();
    const run = await record(await instrumentModule(input, { include: ['*/fib'] }));
    const memory = run.instance.exports.memory as WebAssembly.Memory;
    const before = memory.buffer.byteLength / 65536;
    expect(run.exports.growBy!(3)).toBe(before);
    run.exports.allocate!(300_000);
    const after = memory.buffer.byteLength / 65536;
    expect(run.grown[0]).toBe(3);
    expect(run.grown.reduce((a, b) => a + b, 0)).toBe(after - before);
    expect(run.log).toEqual([]);
  });

  it('keeps exports, the start function and custom sections, and stamps the version', async () => {
    const input = await calls();
    // target_features: binaryen writes its own, listing every feature it read with.
    const features = Uint8Array.of(1, 0x2b, 15, ...new TextEncoder().encode('mutable-globals'));
    const withCustom = new Uint8Array([
      ...input,
      ...customSection('producers', Uint8Array.of(0)),
      ...customSection('x-test', Uint8Array.of(1, 2, 3)),
      ...customSection('target_features', features),
    ]);
    const output = await instrumentModule(withCustom);
    const before = new WebAssembly.Module(withCustom as Uint8Array<ArrayBuffer>);
    const after = new WebAssembly.Module(output as Uint8Array<ArrayBuffer>);
    const versionExports = INSTRUMENT_VERSION_GLOBALS.map((name) => ({ name, kind: 'global' }));
    expect(WebAssembly.Module.exports(after)).toEqual([...WebAssembly.Module.exports(before), ...versionExports]);
    for (const name of ['producers', 'x-test', 'target_features']) {
      expect(WebAssembly.Module.customSections(after, name).map((b) => [...new Uint8Array(b)])).toEqual(
        WebAssembly.Module.customSections(before, name).map((b) => [...new Uint8Array(b)]),
      );
    }
    // The start function (it fills the `ops` table) runs during instantiation, reported.
    const run = await record(output);
    expect(run.startLog[0]).toBe('>~start');
    expect(run.startLog.at(-1)).toBe('<~start');
    expect(inspectModule(output).instrumentVersion).toEqual(INSTRUMENT_VERSION);
    const globals = run.instance.exports as Record<string, WebAssembly.Global>;
    expect(globals[INSTRUMENT_VERSION_GLOBALS[0]]!.value).toBe(INSTRUMENT_VERSION.major);
    expect(globals[INSTRUMENT_VERSION_GLOBALS[1]]!.value).toBe(INSTRUMENT_VERSION.minor);
  });

  it('gives a module without a name section one', async () => {
    const input = await calls(false);
    expect(inspectModule(input).hasNameSection).toBe(false);
    const { bytes, instrumented } = await instrument(input, ALL);
    const run = await record(bytes);
    expect(instrumented.size).toBe(inspectModule(input).functions.defined);
    expect(inspectModule(bytes).namedFunctions).toBe(inspectModule(bytes).functions.defined + 3);
    for (const [index, name] of instrumented) {
      expect(name).toMatch(/^wasm-function\[\d+\]$/);
      expect(run.names.get(index)).toBe(name);
    }
    expect(run.exports.fib!(10)).toBe(55);
  });

  it('selects functions by include, exclude and exported-only', async () => {
    const input = await calls();
    const only = async (options: Parameters<typeof instrument>[1]) =>
      [...(await instrument(input, { ...ALL, ...options })).instrumented.values()].map(short).sort();
    expect(await only({ include: ['*/fib', '*/isOdd'] })).toEqual(['fib', 'isOdd']);
    expect(await only({ exportedOnly: true, exclude: ['*/explode', '*/grow*'] })).toEqual(['allocate', 'applyOps', 'classify', 'fib', 'pages', 'sumOdd']);
    const run = await record(await instrumentModule(input, { ...ALL, exportedOnly: true }));
    run.exports.sumOdd!(3);
    expect(run.log).toEqual(['>sumOdd', '<sumOdd']);
  });

  it('emits the legacy dylibso_observe.instrument_* imports on request', async () => {
    const bytes = await instrumentModule(await calls(), { legacy: true });
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
    expect(imports.map((i) => `${i.module}.${i.name}`)).toEqual([
      `${LEGACY_MODULE}.instrument_enter`,
      `${LEGACY_MODULE}.instrument_exit`,
      `${LEGACY_MODULE}.instrument_memory_grow`,
    ]);
    const run = await record(bytes, {}, true);
    run.exports.fib!(1);
    expect(run.log).toEqual(['>fib', '<fib']);
  });
});

describe('instrumenting hand-written modules', () => {
  it('keeps the table, start function, globals and multi-value results, and names unnamed functions', async () => {
    const { bytes: input, env } = await edgeCases();
    const { bytes, instrumented, warnings } = await instrument(input, ALL);
    const plain = await WebAssembly.instantiate(await WebAssembly.compile(input as Uint8Array<ArrayBuffer>), env());
    const run = await record(bytes, env());
    const p = plain.exports as Record<string, Fn>;
    const e = run.exports;
    // The start function set the global in both.
    expect((run.instance.exports.counter as WebAssembly.Global).value).toBe((plain.exports.counter as WebAssembly.Global).value);
    for (const x of [0, 1, 2, 3, 9]) {
      expect(e.viaTable!(x)).toBe(p.viaTable!(x));
      expect(e.select!(x)).toBe(p.select!(x));
    }
    // Table slots still hold callable functions with the same behaviour.
    const table = run.instance.exports.table as WebAssembly.Table;
    expect(table.length).toBe((plain.exports.table as WebAssembly.Table).length);
    expect((table.get(1) as Fn)(5)).toEqual((((plain.exports.table as WebAssembly.Table).get(1)) as Fn)(5));
    // A function without a name is named after its index in the input.
    expect([...instrumented.values()]).toContain('wasm-function[2]');
    // Deep tail recursion still runs: functions with tail calls are left alone, and said so.
    expect(e.countdown!(1_000_000)).toBe(42);
    expect(warnings.join('\n')).toMatch(/tail calls.*countdown/);
    expect([...instrumented.values()]).not.toContain('countdown');
  });
});

describe('small leaf functions', () => {
  it('are left out by default, recorded for inspect, and kept with allFunctions', async () => {
    const input = await calls();
    const all = await instrument(input, ALL);
    const some = await instrument(input);
    const names = (r: typeof all) => new Set([...r.instrumented.values()].map(short));
    const left = [...names(all)].filter((n) => !names(some).has(n));
    expect(some.smallLeaves).toBe(left.length);
    expect(all.smallLeaves).toBe(0);
    // No calls, no loops, no memory.grow, small: left out.
    expect(left).toEqual(expect.arrayContaining(['isOdd', 'double', 'negate', 'classify']));
    // A loop, a call (recursion) or memory.grow keeps a function in.
    for (const kept of ['sumOdd', 'fib', 'growBy', 'applyOps']) expect(names(some)).toContain(kept);
    expect(inspectModule(some.bytes).instrumentedBy).toEqual({
      functions: some.instrumented.size,
      imports: 0,
      smallLeaves: some.smallLeaves,
      smallLeafBound: SMALL_LEAF,
    });
    // Left out means untouched: calling one reports nothing.
    const run = await record(some.bytes);
    expect(run.exports.sumOdd!(6)).toBe(9);
    expect(run.log).toEqual(['>sumOdd', '<sumOdd']);
  });
});

describe('calls to imported functions', () => {
  const wat = `(module
    (import "host" "add" (func $add (param i32 i32) (result i32)))
    (import "host" "tick" (func $tick))
    (import "host" "pair" (func $pair (result i32 i32)))
    (import "dylibso:observe/api" "span-enter" (func $enter (param i32 i32)))
    (import "dylibso:observe/api" "span-exit" (func $exit))
    (import "host" "unused" (func $unused))
    (memory (export "memory") 1)
    (func $run (export "run") (param $x i32) (result i32)
      (call $enter (i32.const 0) (i32.const 4))
      (call $tick)
      (call $pair) drop drop
      (call $add (local.get $x) (i32.const 1))
      (call $exit)))`;
  const calls: string[] = [];
  const host = {
    host: { add: (a: number, b: number) => a + b, tick: () => calls.push('tick'), pair: () => [1, 2], unused: () => {} },
    'dylibso:observe/api': { 'span-enter': () => calls.push('span-enter'), 'span-exit': () => calls.push('span-exit') },
  };

  it('become spans named module.name around the real call; the Observe API is never wrapped', async () => {
    const { bytes, wrappedImports } = await instrument(await watToWasm(wat));
    expect([...wrappedImports.values()].sort()).toEqual(['host.add', 'host.pair', 'host.tick']);
    calls.length = 0;
    const run = await record(bytes, host);
    expect(run.exports.run!(41)).toBe(42);
    expect(run.log).toEqual(['>run', '>host.tick', '<host.tick', '>host.pair', '<host.pair', '>host.add', '<host.add', '<run']);
    expect(calls).toEqual(['span-enter', 'tick', 'span-exit']);
  });

  it('are left alone with imports: false (--no-imports)', async () => {
    const { bytes, wrappedImports } = await instrument(await watToWasm(wat), { imports: false });
    expect(wrappedImports.size).toBe(0);
    const run = await record(bytes, host);
    expect(run.exports.run!(1)).toBe(2);
    expect(run.log).toEqual(['>run', '<run']);
  });
});

describe('refusals', () => {
  it('refuses an already instrumented module', async () => {
    const once = await instrumentModule(await calls());
    await expect(instrument(once)).rejects.toThrow(/already instrumented.*dylibso:observe\/instrument\.enter/);
    const legacy = await instrumentModule(await calls(), { legacy: true });
    await expect(instrument(legacy)).rejects.toThrow(/already instrumented.*instrument_enter/);
  });

  it('refuses bytes that are not a module, with the reason', async () => {
    await expect(instrument(Uint8Array.of(1, 2, 3))).rejects.toThrow(InstrumentError);
    await expect(instrument(new TextEncoder().encode('(module)'))).rejects.toThrow(/not a WebAssembly module/);
    const badOpcode = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 5, 1, 3, 0, 0xff, 0x0b);
    await expect(instrument(badOpcode)).rejects.toThrow(/not a valid module: .*Invalid opcode 0xff/);
    // binaryen survives a refusal.
    const input = await calls();
    expect((await instrument(input, ALL)).instrumented.size).toBe(inspectModule(input).functions.defined);
  });

  it('refuses a selection that matches nothing in a module that never grows memory', async () => {
    const { bytes } = await edgeCases();
    await expect(instrument(bytes, { include: ['no-such-function'] })).rejects.toThrow(/nothing to instrument/);
  });
});
