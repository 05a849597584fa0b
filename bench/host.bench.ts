/**
 * Host cost per guest event, next to what no host can avoid. Two workloads, each run three ways
 * in this process, interleaved, fastest of several rounds:
 *
 *   (a) a manual loop: span-enter + log + metric + span-exit;
 *   (b) instrumented calls: a function that reports enter and exit, under the default 20 µs
 *       filter (the spans are dropped, as almost all of a real program's are);
 *
 *   - no-op imports: the bare cost of calling from Wasm into JavaScript;
 *   - the clock floor: imports that only read `performance.now()`, once per call, which every
 *     event needs for its timestamp;
 *   - the full host, with an exporter that counts what it receives (the builder makes every
 *     record as for a real exporter).
 *
 * The goal is the host within 1.25× the clock floor: bookkeeping under a quarter of a clock read.
 */
import { pathToFileURL } from 'node:url';
import { Observer } from '../host/index.ts';
import { API_MODULE, INSTRUMENT_MODULE } from '../host/abi/spec.ts';
import type { TelemetryExporter } from '../host/exporters/exporter.ts';
import { watToWasm } from '../host/node/load.ts';

/** The manual loop as a module; `extra` adds fields (the CLI bench adds a `_start`). */
export function manualGuest(extra = ''): string {
  return `(module
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
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  ${extra})`;
}
const MANUAL = manualGuest();

const INSTRUMENTED = `(module
  (import "${INSTRUMENT_MODULE}" "enter" (func $enter (param i32)))
  (import "${INSTRUMENT_MODULE}" "exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $work (param $x i32) (result i32)
    (call $enter (i32.const 1))
    (local.set $x (i32.mul (local.get $x) (i32.const 3)))
    (call $exit (i32.const 1))
    (local.get $x))
  (func (export "loop") (param $n i32)
    (local $acc i32)
    (loop $l
      (local.set $acc (call $work (local.get $n)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))`;

type Loop = (n: number) => void;

const ROUNDS = 7;

/** Counts what it is handed and reads what every exporter reads (ids, times, parent). */
export class CountingExporter implements TelemetryExporter {
  readonly name = 'count';
  spans = 0;
  logs = 0;
  metrics = 0;
  onSpan(): void {
    this.spans++;
  }
  onLog(): void {
    this.logs++;
  }
  onMetric(): void {
    this.metrics++;
  }
  onTraceEnd(): void {}
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
  stats() {
    return { exported: this.spans + this.logs + this.metrics, dropped: 0 };
  }
}

function time(loop: Loop, iterations: number): number {
  loop(Math.min(iterations, 10_000)); // warm up
  const start = process.hrtime.bigint();
  loop(iterations);
  return Number(process.hrtime.bigint() - start) / iterations;
}

async function variants(
  wat: string,
  names: string[],
): Promise<{ base: Loop; clock: Loop; full: Loop; coarse: Loop; observer: Observer; coarseObserver: Observer }> {
  const module = await WebAssembly.compile((await watToWasm(wat)) as Uint8Array<ArrayBuffer>);
  const namespace = names[0]!.includes('span') ? API_MODULE : INSTRUMENT_MODULE;
  const noop = () => {};
  // What the host cannot avoid: one clock read per call, for the event's timestamp.
  const tick = () => {
    performance.now();
  };
  const withAll = (fn: () => void) => ({ [namespace]: Object.fromEntries(names.map((n) => [n, fn])) });
  const base = (await WebAssembly.instantiate(module, withAll(noop))).exports.loop as Loop;
  const clock = (await WebAssembly.instantiate(module, withAll(tick))).exports.loop as Loop;
  const observer = new Observer({ exporters: [new CountingExporter()] });
  const full = (await observer.instantiate(module)).exports.loop as Loop;
  const coarseObserver = new Observer({ exporters: [new CountingExporter()], clock: 'coarse' });
  const coarse = (await coarseObserver.instantiate(module)).exports.loop as Loop;
  return { base, clock, full, coarse, observer, coarseObserver };
}

async function workload(label: string, wat: string, names: string[], calls: number, iterations: number, coarseRow: boolean): Promise<void> {
  const v = await variants(wat, names);
  let base = Infinity;
  let clock = Infinity;
  let full = Infinity;
  let coarse = Infinity;
  v.observer.startTrace('bench');
  v.coarseObserver.startTrace('bench');
  for (let round = 0; round < ROUNDS; round++) {
    base = Math.min(base, time(v.base, iterations));
    clock = Math.min(clock, time(v.clock, iterations));
    full = Math.min(full, time(v.full, iterations));
    coarse = Math.min(coarse, time(v.coarse, iterations));
  }
  v.observer.finishTrace();
  v.coarseObserver.finishTrace();
  const row = (name: string, ns: number, extra = '') =>
    console.log(`  ${name.padEnd(34)} ${ns.toFixed(1).padStart(8)} ns  ${(ns / calls).toFixed(1).padStart(6)} ns/call  ${extra}`);
  console.log(`${label}, per iteration of ${calls} calls (fastest of ${ROUNDS} interleaved rounds)`);
  row('no-op imports', base);
  row('clock floor (performance.now())', clock, `${(clock / base).toFixed(1)}× no-op`);
  row('wasm-observe host', full, `${(full / clock).toFixed(2)}× clock floor, ${(full / base).toFixed(1)}× no-op`);
  console.log(`  bookkeeping beyond the clock: ${((full - clock) / calls).toFixed(1)} ns per call (${((full - clock) / clock).toFixed(2)} of the floor)`);
  if (coarseRow) row('host, coarse clock', coarse, `${(coarse / clock).toFixed(2)}× clock floor (logs and metrics read no clock)`);
  await v.observer.shutdown();
  await v.coarseObserver.shutdown();
}

export async function hostBench(iterations = 1_000_000): Promise<void> {
  await workload('host (a) manual: span-enter + log + metric + span-exit', MANUAL, ['span-enter', 'span-exit', 'log', 'metric'], 4, iterations, true);
  console.log();
  await workload('host (b) instrumented calls (enter + exit), default filter', INSTRUMENTED, ['enter', 'exit'], 2, iterations, false);

  // Memory stays bounded on a long run: 10 million events in one trace.
  const v = await variants(MANUAL, ['span-enter', 'span-exit', 'log', 'metric']);
  const events = 10_000_000;
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  v.observer.startTrace('soak');
  v.full(events / 4);
  v.observer.finishTrace();
  globalThis.gc?.();
  const after = process.memoryUsage().heapUsed;
  console.log();
  console.log(`  heap after ${events / 1e6}M events: ${((after - before) / 1024 / 1024).toFixed(1)} MiB change${globalThis.gc ? '' : ' (run node with --expose-gc for an exact figure)'}`);
  await v.observer.shutdown();
  await v.coarseObserver.shutdown();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await hostBench(Number(process.argv[2] ?? 1_000_000));
