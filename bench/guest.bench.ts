/**
 * Guest-side cost of the AssemblyScript library: each call kind runs in a loop inside the guest
 * against no-op imports, so the time is the library's work plus the bare import call. The raw
 * loop (pre-encoded bytes, no library) is the floor to compare with. Built with the stub
 * runtime, which never frees, so heap growth over the loops is measured exactly. Each loop is
 * timed over several rounds and the fastest kept: other work on the machine only adds time.
 *
 *   npx tsx bench/guest.bench.ts
 */
import { pathToFileURL } from 'node:url';
import { API_MODULE } from '../host/abi/spec.ts';
import { compile, ENV } from '../tests/assemblyscript/asc.ts';

type Loop = (n: number) => unknown;

const LOOPS: [string, string, number][] = [
  ['rawEnterExit', 'raw import calls: span-enter + span-exit (floor)', 2],
  ['enterExit', 'spanEnter("handle") + spanExit()', 2],
  ['enterExitNonAscii', 'spanEnter(non-ASCII, 23 bytes) + spanExit()', 2],
  ['logLine', 'log(Info, 23 chars)', 1],
  ['metricLine', 'metric(Statsd, 24 chars)', 1],
  ['tagArray', 'spanTags(["route:/users/:id", "method:GET"])', 1],
  ['statsdCounter', 'counter("requests", i, 1.0, "route:home")', 1],
  ['statsdTiming', 'timing("latency", 3.25, 0.5)', 1],
  ['spanHandle', 'Span.enter + tag + exit', 3],
  ['decoratedCall', '@span function call (enter + body + exit)', 2],
];

const ROUNDS = 5;

function time(loop: Loop, iterations: number): number {
  const start = process.hrtime.bigint();
  loop(iterations);
  return Number(process.hrtime.bigint() - start) / iterations;
}

export async function guestBench(iterations = 1_000_000): Promise<void> {
  const binary = await compile(['tests/assembly/guests/bench.ts', '--runtime', 'stub', '-O3']);
  const noop = () => {};
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(binary as Uint8Array<ArrayBuffer>), {
    ...ENV,
    [API_MODULE]: { 'span-enter': noop, 'span-exit': noop, 'span-tags': noop, log: noop, metric: noop },
  });
  const memory = exports.memory as WebAssembly.Memory;
  const heapTop = exports.heapTop as () => number;

  for (const [name] of LOOPS) (exports[name] as Loop)(100_000); // let the engine tier up first

  console.log(`guest (AssemblyScript, no-op host): fastest of ${ROUNDS} rounds of ${iterations.toLocaleString('en')} iterations`);
  for (const [name, label, calls] of LOOPS) {
    const pages = memory.buffer.byteLength / 65536;
    const before = heapTop();
    let ns = Infinity;
    for (let r = 0; r < ROUNDS; r++) ns = Math.min(ns, time(exports[name] as Loop, iterations));
    const after = heapTop();
    const growth = after - before - (heapTop() - after); // minus one probe block
    const grew = memory.buffer.byteLength / 65536 - pages;
    console.log(
      `  ${label.padEnd(48)} ${ns.toFixed(1).padStart(6)} ns/iter  ${(ns / calls).toFixed(1).padStart(5)} ns/import call` +
        `  heap +${growth} B, memory +${grew} pages over ${ROUNDS * iterations / 1e6}M iterations`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await guestBench();
