/**
 * What leaving small leaf functions out of `instrument` saves on real programs: the share of
 * function calls that no longer report enter/exit, and the run time under the host (default
 * 20 µs filter) instrumented with and without them. Programs: the AssemblyScript example (asc's
 * debug target, where small functions stay functions), and, when their toolchains are installed,
 * the C word counter (clang + wasi-libc) and the Rust example (Debian's rustc).
 *
 *   npx tsx bench/leaves.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Observer } from '../host/index.ts';
import type { TelemetryExporter } from '../host/exporters/exporter.ts';
import { runWasi } from '../host/node/index.ts';
import { instrument } from '../host/tools/instrument.ts';
import { compile, WASI_COMMAND } from '../tests/assemblyscript/asc.ts';

const ROUNDS = 5;

interface Program {
  name: string;
  bytes: Uint8Array;
  args?: string[];
}

async function programs(dir: string): Promise<Program[]> {
  const out: Program[] = [
    { name: 'AssemblyScript example (debug)', bytes: await compile([...WASI_COMMAND, 'examples/assemblyscript/index.ts', '--target', 'debug']) },
  ];
  const c = join(dir, 'wc.wasm');
  // -O0 keeps the name section: at -O1 and up clang runs wasm-opt from the PATH, which strips it.
  if (spawnSync('clang', ['--target=wasm32-wasi', '--sysroot=/usr', '-O0', '-o', c, 'examples/c/main.c']).status === 0) {
    out.push({ name: 'C word count (clang -O0)', bytes: readFileSync(c) });
  }
  const rust = join(dir, 'words.wasm');
  if (spawnSync('/usr/bin/rustc', ['--target', 'wasm32-wasi', '-C', 'opt-level=0', '-g', '-o', rust, 'examples/rust/main.rs']).status === 0) {
    out.push({ name: 'Rust example (rustc opt-level 0)', bytes: readFileSync(rust), args: ['the quick brown fox jumps over the lazy dog'] });
  }
  return out;
}

/** Counts function spans (every span kept) and times the run (default filter). */
async function run(p: Program, bytes: Uint8Array, minSpanDurationMicros: number): Promise<{ spans: number; ms: number }> {
  let spans = 0;
  const counter: TelemetryExporter = {
    name: 'count',
    onSpan: () => void spans++,
    onLog: () => {},
    onMetric: () => {},
    onTraceEnd: () => {},
    forceFlush: async () => {},
    shutdown: async () => {},
    stats: () => ({ exported: spans, dropped: 0 }),
  };
  const observer = new Observer({ exporters: [counter], minSpanDurationMicros });
  const module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  const devNull = openSync('/dev/null', 'r+');
  const start = performance.now();
  await runWasi(module, { observer, args: p.args, stdio: [devNull, devNull, devNull], programName: 'bench' });
  const ms = performance.now() - start;
  closeSync(devNull);
  await observer.shutdown();
  return { spans, ms };
}

async function fastest(p: Program, bytes: Uint8Array): Promise<number> {
  let best = Infinity;
  await run(p, bytes, 20); // warm up
  for (let r = 0; r < ROUNDS; r++) best = Math.min(best, (await run(p, bytes, 20)).ms);
  return best;
}

export async function leavesBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-observe-leaves-'));
  try {
    console.log(`instrument: small leaf functions left out (fastest of ${ROUNDS} runs, default filter)`);
    for (const p of await programs(dir)) {
      const all = await instrument(p.bytes, { allFunctions: true });
      const some = await instrument(p.bytes);
      const callsAll = (await run(p, all.bytes, 0)).spans;
      const callsSome = (await run(p, some.bytes, 0)).spans;
      const [plainMs, allMs, someMs] = [await fastest(p, p.bytes), await fastest(p, all.bytes), await fastest(p, some.bytes)];
      const removed = callsAll === 0 ? 0 : (100 * (callsAll - callsSome)) / callsAll;
      console.log(`  ${p.name}: ${some.smallLeaves} of ${all.instrumented.size} functions left out; ${callsAll - callsSome} of ${callsAll} spans (${removed.toFixed(0)}%) no longer reported`);
      console.log(`    run: uninstrumented ${plainMs.toFixed(2)} ms, every function ${allMs.toFixed(2)} ms, small leaves left out ${someMs.toFixed(2)} ms`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await leavesBench();
