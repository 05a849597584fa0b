/**
 * Instrumented guests under the host, against the same guests uninstrumented: (a) behaviour is
 * unchanged, (b) the exported trace has the functions' names, nesting and call counts, (c) the
 * `allocation` attributes (pages) add up to the pages the memory grew.
 */
import { describe, expect, it } from 'vitest';
import { WASM_PAGE_BYTES } from '../../host/abi/spec.ts';
import { instrumentModule } from '../../host/tools/instrument.ts';
import { runTraced, traceModule, type Span } from '../helpers/otlp.ts';
import { ALL, calls, command, counts, pagesGrown, reactor, runPlain, short, traceOf, tree, withStdout } from './guests.ts';

/** Every call becomes a span: the 20 µs default would drop most of these. */
const EVERY_CALL = { minSpanDurationMicros: 0 };

type Fn = (...args: number[]) => number;

const fibTree = (n: number): string => (n < 2 ? 'fib' : `fib(${fibTree(n - 1)},${fibTree(n - 2)})`);
const fibCalls = (n: number): number => (n < 2 ? 1 : 1 + fibCalls(n - 1) + fibCalls(n - 2));

/** One call of an export of the instrumented calls module, traced; spans of that call only. */
async function traceCall(name: string, ...args: number[]) {
  const bytes = await instrumentModule(await calls(), ALL);
  const run = await traceModule(bytes, (instance) => (instance.exports[name] as Fn)(...args), EVERY_CALL);
  return { result: run.result, spans: traceOf(run.spans, name) };
}

/** Runs a WASI module under the host with stdout captured. */
function runUnderHost(bytes: Uint8Array, invoke?: { name: string; args: number[] }) {
  return withStdout((fd) =>
    runTraced(bytes, { stdio: [0, fd, 2], invoke: invoke?.name, invokeArgs: invoke?.args, observer: EVERY_CALL }),
  );
}

const parentOf = (spans: Span[], s: Span) => spans.find((p) => p.spanId === s.parentSpanId);

describe('a library module under the host', () => {
  it('returns what the uninstrumented module returns', async () => {
    const plain = (await WebAssembly.instantiate(await WebAssembly.compile((await calls()) as Uint8Array<ArrayBuffer>))).exports as Record<string, Fn>;
    const bytes = await instrumentModule(await calls(), ALL);
    const cases: [string, number][] = [['fib', 20], ['classify', -3], ['classify', 0], ['classify', 101], ['classify', 9], ['sumOdd', 100], ['applyOps', 7], ['allocate', 1000]];
    const run = await traceModule(bytes, (instance) => cases.map(([f, x]) => (instance.exports[f] as Fn)(x)), EVERY_CALL);
    expect(run.result).toEqual(cases.map(([f, x]) => plain[f]!(x)));
  });

  it('traces recursion as nested spans named from the name section', async () => {
    const { result, spans } = await traceCall('fib', 6);
    expect(result).toBe(8);
    expect(tree(spans)).toBe(fibTree(6));
    expect(counts(spans)).toEqual({ fib: fibCalls(6) });
    expect(spans[0]!.attributes['code.function.index']).toBeTypeOf('number');
  });

  it('closes a span on every early return and loop exit', async () => {
    const bytes = await instrumentModule(await calls(), ALL);
    const run = await traceModule(bytes, (i) => [-5, 0, 500, 7].map((n) => (i.exports.classify as Fn)(n)), EVERY_CALL);
    expect(run.result).toEqual([-1, 0, 2, 1]);
    expect(tree(traceOf(run.spans, 'classify'))).toBe('classify,classify,classify,classify');

    const loop = await traceCall('sumOdd', 6);
    expect(loop.result).toBe(1 + 3 + 5);
    expect(tree(loop.spans)).toBe(`sumOdd(${Array(6).fill('isOdd').join(',')})`);
  });

  it('traces calls through the function table under their caller', async () => {
    const { result, spans } = await traceCall('applyOps', 5);
    expect(result).toBe(-20);
    expect(tree(spans, (n) => ['applyOps', 'double', 'negate'].includes(n))).toBe('applyOps(double,negate,double)');
  });

  it('ends the spans a trap unwinds as errors, still nested', async () => {
    const { result, spans } = await traceCall('explode', 2);
    expect(result).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(tree(spans)).toBe('explode(explode(explode))');
    for (const s of spans) expect(s.status.code).toBe(2);
  });

  it('puts memory.grow pages on the span that grew, as allocation', async () => {
    const { spans } = await traceCall('growBy', 2);
    const growBy = spans.find((s) => short(s.name) === 'growBy')!;
    expect(growBy.attributes.allocation).toBe(2);
    expect(growBy.attributes['allocation.bytes']).toBe(2 * WASM_PAGE_BYTES);

    // The allocator grows memory itself; the growth lands on its growMemory span.
    const bytes = await instrumentModule(await calls(), ALL);
    const run = await traceModule(
      bytes,
      (i) => {
        const before = (i.exports.pages as Fn)();
        (i.exports.allocate as Fn)(1_000_000);
        return (i.exports.pages as Fn)() - before;
      },
      EVERY_CALL,
    );
    const grown = run.result as number;
    expect(grown).toBe(16); // a million bytes in 64 KiB pages, with the allocator's own overhead
    const traced = traceOf(run.spans, 'allocate');
    expect(pagesGrown(traced)).toBe(grown);
    const where = traced.filter((s) => s.attributes.allocation !== undefined).map((s) => short(s.name));
    expect(where).toEqual(['~lib/rt/tlsf/growMemory']);
  });

  it('works the same with the legacy import names', async () => {
    const bytes = await instrumentModule(await calls(), { ...ALL, legacy: true });
    const run = await traceModule(bytes, (i) => (i.exports.fib as Fn)(4), EVERY_CALL);
    expect(run.result).toBe(3);
    expect(tree(traceOf(run.spans, 'fib'))).toBe(fibTree(4));
  });
});

describe('a WASI command under the host', () => {
  it('prints the same output and exits with the same code', async () => {
    const plain = await runPlain(await command());
    const traced = await runUnderHost(await instrumentModule(await command()));
    expect(plain.exitCode).toBe(3);
    expect(traced.result.exitCode).toBe(plain.exitCode);
    expect(traced.stdout).toBe(plain.stdout);
    expect(plain.stdout).toContain('fib: 0,1,1,2,3,5,8,13,21,34,55,89,144,233,377');
  });

  it('traces every call under the start function, and the memory it grew', async () => {
    const plain = await runPlain(await command());
    const { spans } = await runUnderHost(await instrumentModule(await command()));
    const fibs = spans.filter((s) => short(s.name) === 'fib');
    expect(fibs.length).toBe(Array.from({ length: 15 }, (_, i) => fibCalls(i)).reduce((a, b) => a + b));
    // Thousands of spans: parent links only mean something if span ids are unique.
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
    const roots = spans.filter((s) => s.parentSpanId === undefined || !parentOf(spans, s)).map((s) => short(s.name));
    expect(roots).toEqual(['~start']);
    // Each fib is called by fib or by the program's top level (asc's `start:<file>`).
    for (const f of fibs) expect(['fib', 'start:tests/instrument/guests/command']).toContain(short(parentOf(spans, f)!.name));
    // process.exit unwinds through the open functions; the host closes them.
    const exit = spans.find((s) => short(s.name) === '~lib/wasi_process/wasi_process.exit')!;
    expect(exit.attributes['wasm_observe.unclosed']).toBe(true);
    expect(counts(spans).render).toBe(1);
    expect(pagesGrown(spans)).toBe(plain.pages.after - plain.pages.before);
    expect(plain.pages.after).toBeGreaterThan(plain.pages.before);
  });
});

describe('a WASI reactor under the host', () => {
  it('returns and prints the same, with a span per call', async () => {
    const invoke = { name: 'handle', args: [15] };
    const plain = await runPlain(await reactor(), invoke);
    const traced = await runUnderHost(await instrumentModule(await reactor()), invoke);
    expect(plain.stdout).toBe('fizzbuzz\n');
    expect(traced.stdout).toBe(plain.stdout);
    expect(traced.result.returnValue).toBe(plain.returnValue);
    const handle = traced.spans.find((s) => short(s.name) === 'handle')!;
    const describe = traced.spans.find((s) => short(s.name) === 'describe')!;
    expect(describe.parentSpanId).toBe(handle.spanId);
    expect(counts(traced.spans).handle).toBe(1);
  });
});
