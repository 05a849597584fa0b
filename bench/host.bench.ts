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
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { TelemetryExporter } from '../host/exporters/exporter.ts';
import type { GuestMetric } from '../host/trace/model.ts';
import type { ClockMode } from '../host/abi/imports.ts';
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

/**
 * Counts what it is handed and reads what every exporter reads: a span's ids, parent, name and
 * times, a record's span and time. The host makes these only when read, so an exporter that read
 * nothing would hide their cost.
 */
export class CountingExporter implements TelemetryExporter {
  readonly name = 'count';
  spans = 0;
  logs = 0;
  metrics = 0;
  /** What was read, kept so the reads are not optimised away. */
  private sink = 0;
  onSpan(span: ReadableSpan): void {
    this.spans++;
    const { spanId, traceId } = span.spanContext();
    this.sink += spanId.length + traceId.length + (span.parentSpanContext?.spanId.length ?? 0) + span.name.length;
    this.sink += span.startTime[1] + span.endTime[1] + span.duration[1];
  }
  onLog(record: ReadableLogRecord): void {
    this.logs++;
    this.sink += (record.spanContext?.spanId.length ?? 0) + record.hrTime[1];
  }
  onMetric(metric: GuestMetric): void {
    this.metrics++;
    this.sink += (metric.spanContext?.spanId.length ?? 0) + metric.time;
  }
  onTraceEnd(): void {}
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
  stats() {
    return { exported: this.spans + this.logs + this.metrics, dropped: this.sink === -1 ? 1 : 0 };
  }
}

function time(loop: Loop, iterations: number): number {
  loop(Math.min(iterations, 10_000)); // warm up
  const start = process.hrtime.bigint();
  loop(iterations);
  return Number(process.hrtime.bigint() - start) / iterations;
}

async function compile(wat: string): Promise<WebAssembly.Module> {
  return WebAssembly.compile((await watToWasm(wat)) as Uint8Array<ArrayBuffer>);
}

/** The guest's loop under an Observer with a counting exporter. */
async function observed(module: WebAssembly.Module, clock: ClockMode): Promise<{ loop: Loop; observer: Observer }> {
  const observer = new Observer({ exporters: [new CountingExporter()], clock });
  return { loop: (await observer.instantiate(module)).exports.loop as Loop, observer };
}

async function workload(label: string, wat: string, names: string[], calls: number, iterations: number, coarseRow: boolean): Promise<void> {
  const module = await compile(wat);
  const namespace = names[0]!.includes('span') ? API_MODULE : INSTRUMENT_MODULE;
  // What the host cannot avoid: one clock read per call, for the event's timestamp.
  const tick = () => {
    performance.now();
  };
  const withAll = (fn: () => void) => ({ [namespace]: Object.fromEntries(names.map((n) => [n, fn])) });
  const loops: Record<string, Loop> = {
    base: (await WebAssembly.instantiate(module, withAll(() => {}))).exports.loop as Loop,
    clock: (await WebAssembly.instantiate(module, withAll(tick))).exports.loop as Loop,
  };
  const observers: Observer[] = [];
  for (const [name, clock] of [['full', 'precise'], ...(coarseRow ? [['coarse', 'coarse']] : [])] as [string, ClockMode][]) {
    const { loop, observer } = await observed(module, clock);
    loops[name] = loop;
    observers.push(observer);
    observer.startTrace('bench');
  }
  const best: Record<string, number> = Object.fromEntries(Object.keys(loops).map((name) => [name, Infinity]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, loop] of Object.entries(loops)) best[name] = Math.min(best[name]!, time(loop, iterations));
  }
  for (const observer of observers) observer.finishTrace();
  const { base, clock, full, coarse } = best;
  const row = (name: string, ns: number, extra = '') =>
    console.log(`  ${name.padEnd(34)} ${ns.toFixed(1).padStart(8)} ns  ${(ns / calls).toFixed(1).padStart(6)} ns/call  ${extra}`);
  console.log(`${label}, per iteration of ${calls} calls (fastest of ${ROUNDS} interleaved rounds)`);
  row('no-op imports', base!);
  row('clock floor (performance.now())', clock!, `${(clock! / base!).toFixed(1)}× no-op`);
  row('wasm-observe host', full!, `${(full! / clock!).toFixed(2)}× clock floor, ${(full! / base!).toFixed(1)}× no-op`);
  console.log(`  bookkeeping beyond the clock: ${((full! - clock!) / calls).toFixed(1)} ns per call (${((full! - clock!) / clock!).toFixed(2)} of the floor)`);
  if (coarse !== undefined) row('host, coarse clock', coarse, `${(coarse / clock!).toFixed(2)}× clock floor (logs and metrics read no clock)`);
  for (const observer of observers) await observer.shutdown();
}

export async function hostBench(iterations = 1_000_000): Promise<void> {
  await workload('host (a) manual: span-enter + log + metric + span-exit', MANUAL, ['span-enter', 'span-exit', 'log', 'metric'], 4, iterations, true);
  console.log();
  await workload('host (b) instrumented calls (enter + exit), default filter', INSTRUMENTED, ['enter', 'exit'], 2, iterations, false);

  // Memory stays bounded on a long run: 10 million events in one trace.
  const v = await observed(await compile(MANUAL), 'precise');
  const events = 10_000_000;
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  v.observer.startTrace('soak');
  v.loop(events / 4);
  v.observer.finishTrace();
  globalThis.gc?.();
  const after = process.memoryUsage().heapUsed;
  console.log();
  console.log(`  heap after ${events / 1e6}M events: ${((after - before) / 1024 / 1024).toFixed(1)} MiB change${globalThis.gc ? '' : ' (run node with --expose-gc for an exact figure)'}`);
  await v.observer.shutdown();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await hostBench(Number(process.argv[2] ?? 1_000_000));
