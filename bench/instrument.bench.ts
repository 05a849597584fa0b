/**
 * Run-time cost of automatic instrumentation on a call-heavy guest: recursive fibonacci from
 * tests/instrument/guests/calls.ts (asc -O3; fib stays a real recursive call), uninstrumented vs
 * instrumented, both under the host. The instrumented module is also run against no-op imports,
 * which isolates what the guest pays (wrapper call + two import calls) from what the host does
 * with each event. Fastest of several rounds per variant: other work on the machine only adds.
 *
 *   npx tsx bench/instrument.bench.ts
 */
import { pathToFileURL } from 'node:url';
import { INSTRUMENT_MODULE } from '../host/abi/spec.ts';
import { Observer } from '../host/index.ts';
import { instrumentModule } from '../host/tools/instrument.ts';
import { compile } from '../tests/assemblyscript/asc.ts';

const N = 25;
const ROUNDS = 5;
const CALLS = fibCalls(N);

function fibCalls(n: number): number {
  let a = 1;
  let b = 1;
  for (let i = 2; i <= n; i++) [a, b] = [b, a + b + 1];
  return b;
}

type Fib = (n: number) => number;

async function underHost(bytes: Uint8Array, minSpanDurationMicros: number): Promise<() => void> {
  const observer = new Observer({ minSpanDurationMicros });
  const instance = await observer.instantiate(await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>));
  const fib = instance.exports.fib as Fib;
  return () => {
    observer.startTrace('bench');
    fib(N);
    observer.finishTrace();
  };
}

async function withNoopImports(bytes: Uint8Array): Promise<() => void> {
  const noop = () => {};
  const imports = { [INSTRUMENT_MODULE]: { enter: noop, exit: noop, 'memory-grow': noop } };
  const { instance } = await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, imports);
  const fib = instance.exports.fib as Fib;
  return () => void fib(N);
}

function fastest(run: () => void): number {
  run(); // warm up: tier-up and the host's caches
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - start));
  }
  return best / CALLS;
}

export async function instrumentBench(): Promise<void> {
  const plain = await compile(['tests/instrument/guests/calls.ts', '--use', 'abort=', '-O3', '--debug']);
  const instrumented = await instrumentModule(plain, { include: ['*/fib'] });
  const base = fastest(await underHost(plain, 20));
  const rows: [string, number][] = [
    ['uninstrumented, under the host', base],
    ['instrumented, no-op imports (guest-side cost)', fastest(await withNoopImports(instrumented))],
    ['instrumented, host, default 20 µs filter', fastest(await underHost(instrumented, 20))],
    ['instrumented, host, every span kept (0 µs)', fastest(await underHost(instrumented, 0))],
  ];
  console.log(`instrumentation: fib(${N}) = ${CALLS.toLocaleString('en')} calls, fastest of ${ROUNDS} rounds`);
  for (const [label, ns] of rows) {
    const extra = ns - base;
    console.log(`  ${label.padEnd(46)} ${ns.toFixed(1).padStart(7)} ns/call  ${extra > 0.05 ? `+${extra.toFixed(1)} ns` : ''}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await instrumentBench();
