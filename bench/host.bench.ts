/**
 * Host cost per guest operation. A WAT guest loops over span-enter + log + metric + span-exit;
 * it runs once against no-op imports (the baseline: the bare cost of crossing into JavaScript)
 * and once under the full host (decode, trace building, exporter `none`). Both in this process,
 * same run, so the ratio is meaningful on any machine.
 */
import { Observer } from '../host/index.ts';
import { API_MODULE } from '../host/abi/spec.ts';
import { watToWasm } from '../host/node/load.ts';

const GUEST = `(module
  (import "${API_MODULE}" "span-enter" (func $enter (param i32 i32)))
  (import "${API_MODULE}" "span-exit" (func $exit))
  (import "${API_MODULE}" "log" (func $log (param i32 i32 i32)))
  (import "${API_MODULE}" "metric" (func $metric (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "handle-request")
  (data (i32.const 16) "request handled in 3 ms")
  (data (i32.const 48) "requests:1|c|#route:home")
  (func (export "loop") (param $n i32)
    (loop $l
      (call $enter (i32.const 0) (i32.const 14))
      (call $log (i32.const 3) (i32.const 16) (i32.const 23))
      (call $metric (i32.const 1) (i32.const 48) (i32.const 24))
      (call $exit)
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))`;

type Loop = (n: number) => void;

const ROUNDS = 5;

function time(loop: Loop, iterations: number): number {
  loop(Math.min(iterations, 10_000)); // warm up
  const start = process.hrtime.bigint();
  loop(iterations);
  return Number(process.hrtime.bigint() - start) / iterations;
}

export async function hostBench(iterations = 1_000_000): Promise<void> {
  const module = await WebAssembly.compile((await watToWasm(GUEST)) as Uint8Array<ArrayBuffer>);
  const noop = () => {};
  const baseline = (await WebAssembly.instantiate(module, {
    [API_MODULE]: { 'span-enter': noop, 'span-exit': noop, log: noop, metric: noop },
  })).exports.loop as Loop;
  // What the host cannot avoid: one clock read per call, for the event's timestamp.
  const tick = () => {
    performance.now();
  };
  const clockOnly = (await WebAssembly.instantiate(module, {
    [API_MODULE]: { 'span-enter': tick, 'span-exit': tick, log: tick, metric: tick },
  })).exports.loop as Loop;
  const observer = new Observer();
  const observed = (await observer.instantiate(module)).exports.loop as Loop;

  // Fastest of several interleaved rounds: a shared machine's noise only ever adds time.
  let base = Infinity;
  let clock = Infinity;
  let full = Infinity;
  observer.startTrace('bench');
  for (let round = 0; round < ROUNDS; round++) {
    base = Math.min(base, time(baseline, iterations));
    clock = Math.min(clock, time(clockOnly, iterations));
    full = Math.min(full, time(observed, iterations));
  }
  observer.finishTrace();
  console.log(`host: span-enter + log + metric + span-exit, per iteration (fastest of ${ROUNDS} rounds)`);
  console.log(`  no-op imports (baseline)   ${base.toFixed(1).padStart(8)} ns`);
  console.log(`  imports reading the clock  ${clock.toFixed(1).padStart(8)} ns   ${(clock / base).toFixed(1)}× baseline`);
  console.log(`  wasm-observe host          ${full.toFixed(1).padStart(8)} ns   ${(full / base).toFixed(1)}× baseline`);
  console.log(`  per operation              ${(full / 4).toFixed(1).padStart(8)} ns`);

  // Memory stays bounded on a long run: 10 million events in one trace.
  const events = 10_000_000;
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  observer.startTrace('soak');
  observed(events / 4);
  observer.finishTrace();
  globalThis.gc?.();
  const after = process.memoryUsage().heapUsed;
  console.log(`  heap after ${events / 1e6}M events      ${((after - before) / 1024 / 1024).toFixed(1).padStart(8)} MiB change${globalThis.gc ? '' : ' (run node with --expose-gc for an exact figure)'}`);
  await observer.shutdown();
}

if (import.meta.url === `file://${process.argv[1]}`) await hostBench(Number(process.argv[2] ?? 1_000_000));
