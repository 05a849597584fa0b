/**
 * The CLI's reliability promises, as a user meets them (the installed `wasm-observe` binary):
 * telemetry is written while the guest runs, a signal still flushes it, and output that cannot
 * be written is an error with a reason and an exit code.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Guest, API_IMPORTS } from '../helpers/wat.ts';
import { only, parseOtlpJsonl, scratch } from '../helpers/otlp.ts';

const FD_WRITE = `(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))`;

const tmp = scratch();
afterAll(tmp.remove);

function file(name: string, text: string): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
}

/**
 * A command that finishes a span with a log and a metric, then `spans` short spans, opens
 * `left-open`, prints `ready` and then either spins without a host call (`busy`) or keeps
 * opening and closing spans forever (`calling`).
 */
function runner(spans: number, then: 'busy' | 'calling'): string {
  const g = new Guest();
  const ready = g.str('ready\n').match(/\(i32\.const (\d+)\) \(i32\.const (\d+)\)/)!;
  const step = g.str('step');
  const forever =
    then === 'busy'
      ? `(loop $spin (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $spin))`
      : `(loop $spin (call $enter ${g.str('tick')}) (call $exit) (br $spin))`;
  return g.module(
    `${FD_WRITE} ${API_IMPORTS}`,
    '',
    `(func (export "_start") (local $i i32)
       (call $enter ${g.str('work')})
       (call $log (i32.const 3) ${g.str('working')})
       (call $metric (i32.const 1) ${g.str('jobs:1|c')})
       (call $exit)
       (block $done (loop $again
         (br_if $done (i32.ge_u (local.get $i) (i32.const ${spans})))
         (call $enter ${step}) (call $exit)
         (local.set $i (i32.add (local.get $i) (i32.const 1)))
         (br $again)))
       (call $enter ${g.str('left-open')})
       (i32.store (i32.const 0) (i32.const ${ready[1]}))
       (i32.store (i32.const 4) (i32.const ${ready[2]}))
       (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
       ${forever})`,
  );
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** From the signal to the process's exit. */
  afterSignalMs: number;
}

/** Runs the CLI, waits for `ready` on stdout and for `until` to hold, then sends `signal`. */
function runAndSignal(args: string[], signal: NodeJS.Signals, until: () => boolean = () => true): Promise<Exit> {
  const child = spawn(process.execPath, ['bin/wasm-observe.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let sentAt = 0;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      if (sentAt === 0 && stdout.includes('ready') && until()) {
        sentAt = performance.now();
        child.kill(signal);
      }
    }, 10);
    const giveUp = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, sig) => {
      clearInterval(poll);
      clearTimeout(giveUp);
      resolve({ code, signal: sig, stderr, afterSignalMs: performance.now() - sentAt });
    });
  });
}

const spansIn = (path: string) => (existsSync(path) ? parseOtlpJsonl(readFileSync(path, 'utf8')).spans : []);

describe('wasm-observe run: nothing lost, nothing unbounded', () => {
  it('writes otlp-jsonl while the guest runs, one complete line per batch, not at the end', async () => {
    const out = join(tmp.dir, 'streaming.jsonl');
    // 1200 spans: two full batches of 512 must be on disk while the guest still spins.
    let whileRunning = 0;
    const exit = await runAndSignal(['run', file('streaming.wat', runner(1200, 'busy')), '--exporter', 'otlp-jsonl', '--out', out], 'SIGTERM', () => {
      whileRunning = spansIn(out).length;
      return whileRunning >= 1024;
    });
    expect(whileRunning).toBe(1024);
    expect(exit.code).toBe(143);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    for (const line of lines.slice(0, -1)) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('SIGTERM stops a guest that makes no host call within a second, closes open spans as errors, flushes, exits 143', async () => {
    const out = join(tmp.dir, 'busy.jsonl');
    const exit = await runAndSignal(['run', file('busy.wat', runner(3, 'busy')), '--exporter', 'otlp-jsonl', '--out', out], 'SIGTERM');
    expect([exit.code, exit.signal]).toEqual([143, null]);
    expect(exit.afterSignalMs).toBeLessThan(3000);
    expect(exit.stderr).toMatch(/SIGTERM: guest stopped/);
    const exported = parseOtlpJsonl(readFileSync(out, 'utf8'));
    const work = only(exported.spans, 'work');
    expect(work.status.code ?? 0).toBe(0);
    expect(exported.spans.filter((s) => s.name === 'step')).toHaveLength(3);
    expect(only(exported.spans, 'left-open').status).toEqual({ code: 2, message: 'interrupted' });
    expect(exported.logs.filter((l) => l.body === 'working').map((l) => l.spanId)).toEqual([work.spanId]);
    expect(exported.metrics.map((m) => [m.name, m.value])).toEqual([['jobs', 1]]);
  });

  it('SIGINT stops a guest at its next host call, exits 130 with everything it reported', async () => {
    const out = join(tmp.dir, 'calling.jsonl');
    const exit = await runAndSignal(['run', file('calling.wat', runner(0, 'calling')), '--exporter', 'otlp-jsonl', '--out', out], 'SIGINT');
    expect([exit.code, exit.signal]).toEqual([130, null]);
    // Well before the 1 s after which a guest making no host call is terminated: this one was
    // stopped at its next call.
    expect(exit.afterSignalMs).toBeLessThan(1000);
    const exported = parseOtlpJsonl(readFileSync(out, 'utf8'));
    const ticks = exported.spans.filter((s) => s.name === 'tick');
    expect(ticks.length).toBeGreaterThanOrEqual(1);
    // The guest stops inside a host call: what is open then (`left-open`, and the `tick` inside it
    // when the stop came at its span-exit) ends as interrupted; everything before ended normally.
    const interrupted = exported.spans.filter((s) => s.status.code === 2);
    expect(interrupted.every((s) => s.status.message === 'interrupted')).toBe(true);
    expect([['left-open'], ['tick', 'left-open']]).toContainEqual(interrupted.map((s) => s.name));
    expect(ticks.filter((t) => (t.status.code ?? 0) === 0)).toHaveLength(ticks.length - (interrupted.length - 1));
    expect(only(exported.spans, 'work').status.code ?? 0).toBe(0);
  });

  it('reports a file that cannot be written with its path and reason, and exits 74 though the guest succeeded', () => {
    const g = new Guest();
    const wat = file('ok.wat', g.module(API_IMPORTS, '', `(func (export "_start") (call $enter ${g.str('fine')}) (call $exit))`));
    const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/wasm-observe.js', 'run', wat, ...args], { encoding: 'utf8' });

    const missing = cli('--exporter', 'otlp-jsonl', '--out', '/no/such/dir/x.jsonl');
    expect(missing.status).toBe(74);
    expect(missing.stderr).toMatch(/exporter otlp-jsonl cannot write \/no\/such\/dir\/x\.jsonl: ENOENT: no such file or directory/);

    const full = cli('--exporter', 'otlp-jsonl', '--out', '/dev/full');
    expect(full.status).toBe(74);
    expect(full.stderr).toMatch(/exporter otlp-jsonl cannot write \/dev\/full: ENOSPC: no space left on device/);
    expect(full.stderr).toMatch(/exporter otlp-jsonl dropped 1 items/);

    // The guest's own failure still wins over the write error.
    const failing = file('fails.wat', g.module(`${FD_WRITE} ${API_IMPORTS}`, '', `(func (export "_start") (call $proc_exit (i32.const 3)))`));
    const both = spawnSync(process.execPath, ['bin/wasm-observe.js', 'run', failing, '--exporter', 'otlp-jsonl', '--out', '/dev/full'], { encoding: 'utf8' });
    expect(both.status).toBe(3);

    // A network exporter that fails stays a warning: the exit code is the guest's.
    const network = spawnSync(process.execPath, ['bin/wasm-observe.js', 'run', wat, '--exporter', 'otlp', '--otlp-endpoint', 'http://127.0.0.1:9'], {
      encoding: 'utf8',
      env: { ...process.env, OTEL_EXPORTER_OTLP_TIMEOUT: '500' },
    });
    expect(network.status).toBe(0);
    expect(network.stderr).toMatch(/exporter otlp dropped/);
  });

  it('reports an unwritable stderr tree the same way', () => {
    const g = new Guest();
    const wat = file('tree.wat', g.module(API_IMPORTS, '', `(func (export "_start") (call $enter ${g.str('fine')}) (call $exit))`));
    const r = spawnSync('sh', ['-c', `"${process.execPath}" bin/wasm-observe.js run "${wat}" 2>/dev/full; echo "exit $?"`], { encoding: 'utf8' });
    expect(r.stdout).toBe('exit 74\n');
  });
});
