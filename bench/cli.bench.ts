/**
 * The CLI as users run it (`bin/wasm-observe.js`, the built package), in a child process:
 * - the cost of running the guest on its own thread, with events crossing to the main thread
 *   through the shared ring, against the same loop under an in-process Observer;
 * - peak memory (the child's maxRSS) while a long run writes 12 million events to an
 *   `otlp-jsonl` file, and the file's size and line count.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Observer } from '../host/index.ts';
import { manualGuest } from './host.bench.ts';
import { watToWasm } from '../host/node/load.ts';

/** A WASI command looping `n` times over span-enter + log + metric + span-exit. */
function guest(n: number): string {
  return manualGuest(`(func (export "_start") (call 4 (i32.const ${n})))`);
}

/** Prints the process's peak resident set size on exit (the CLI ends with process.exit). */
const REPORT_RSS = `data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('maxrss '+u.maxRSS+' cpu '+(u.userCPUTime+u.systemCPUTime)+'\\n')})`;

interface CliRun {
  ms: number;
  /** User + system CPU time of both threads. */
  cpuMs: number;
  maxRssMiB: number;
  code: number | null;
  stderr: string;
}

function cli(wat: string, args: string[]): CliRun {
  const start = performance.now();
  const r = spawnSync(process.execPath, ['--import', REPORT_RSS, 'bin/wasm-observe.js', 'run', wat, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - start;
  const usage = /maxrss (\d+) cpu (\d+)/.exec(r.stderr);
  return { ms, cpuMs: usage ? Number(usage[2]) / 1000 : NaN, maxRssMiB: usage ? Number(usage[1]) / 1024 : NaN, code: r.status, stderr: r.stderr };
}

async function lines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path)) for (const byte of chunk as Buffer) if (byte === 10) n++;
  return n;
}

export async function cliBench(iterations = 1_000_000, soakEvents = 12_000_000): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-observe-bench-'));
  try {
    const wat = (n: number) => {
      const path = join(dir, `loop-${n}.wat`);
      writeFileSync(path, guest(n));
      return path;
    };
    // In process: the same loop under an Observer with exporter none.
    const module = await WebAssembly.compile((await watToWasm(guest(iterations))) as Uint8Array<ArrayBuffer>);
    const observer = new Observer();
    const loop = (await observer.instantiate(module)).exports.loop as (n: number) => void;
    let inProcess = Infinity;
    for (let round = 0; round < 3; round++) {
      observer.startTrace('bench');
      const start = process.hrtime.bigint();
      loop(iterations);
      observer.finishTrace();
      inProcess = Math.min(inProcess, Number(process.hrtime.bigint() - start) / iterations);
    }
    await observer.shutdown();

    // Through the CLI: the same work plus process start, minus a run of one iteration.
    const empty = { ms: Infinity, cpuMs: Infinity };
    const full = { ms: Infinity, cpuMs: Infinity };
    for (let round = 0; round < 3; round++) {
      for (const [target, n] of [[empty, 1], [full, iterations]] as const) {
        const run = cli(wat(n), ['--exporter', 'none']);
        target.ms = Math.min(target.ms, run.ms);
        target.cpuMs = Math.min(target.cpuMs, run.cpuMs);
      }
    }
    const wall = ((full.ms - empty.ms) * 1e6) / iterations;
    const cpu = ((full.cpuMs - empty.cpuMs) * 1e6) / iterations;
    console.log(`cli: span-enter + log + metric + span-exit, per iteration, exporter none (fastest of 3)`);
    console.log(`  in process (Observer)                 ${inProcess.toFixed(1).padStart(8)} ns`);
    console.log(`  CLI, guest on its own thread, wall    ${wall.toFixed(1).padStart(8)} ns   ${(wall / inProcess).toFixed(2)}× in process`);
    console.log(`  CLI, CPU time of both threads         ${cpu.toFixed(1).padStart(8)} ns   ${(cpu / inProcess).toFixed(2)}× in process`);

    const out = join(dir, 'soak.jsonl');
    const soak = cli(wat(soakEvents / 4), ['--exporter', 'otlp-jsonl', '--out', out]);
    if (soak.code !== 0) throw new Error(`soak run failed (${soak.code}): ${soak.stderr}`);
    const size = statSync(out).size;
    console.log(`  ${soakEvents / 1e6}M events to an otlp-jsonl file   peak RSS ${soak.maxRssMiB.toFixed(0)} MiB, ` +
      `${(soak.ms / 1000).toFixed(1)} s, ${(size / 1024 / 1024).toFixed(0)} MiB in ${await lines(out)} lines`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await cliBench(Number(process.argv[2] ?? 1_000_000), Number(process.argv[3] ?? 12_000_000));
