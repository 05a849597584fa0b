import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Guest, API_IMPORTS } from '../helpers/wat.ts';
import { only, parseOtlpJsonl, scratch } from '../helpers/otlp.ts';

const WASI = `
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))`;

const tmp = scratch();
afterAll(tmp.remove);

function cli(args: string[], input = '') {
  const r = spawnSync(process.execPath, ['bin/wasm-observe.js', ...args], { input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
}

/** A WASI command: echoes stdin to stdout inside a span, then exits with code 3. */
const echo = (() => {
  const g = new Guest();
  return g.module(
    `${WASI} ${API_IMPORTS}`,
    '',
    `(func (export "_start")
       (call $enter ${g.str('echo')})
       (call $log (i32.const 3) ${g.str('echoing')})
       (i32.store (i32.const 0) (i32.const 2048))
       (i32.store (i32.const 4) (i32.const 256))
       (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
       (i32.store (i32.const 4) (i32.load (i32.const 8)))
       (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
       (call $exit)
       (call $proc_exit (i32.const 3)))`,
  );
})();

describe('wasm-observe run', () => {
  it('passes stdio through, exits with the guest exit code, and writes OTLP JSON lines', () => {
    const out = join(tmp.dir, 'echo.jsonl');
    const r = cli(['run', file('echo.wat', echo), '--exporter', 'otlp-jsonl', '--out', out, '--service', 'echo-svc'], 'ping\n');
    expect(r.stdout).toBe('ping\n');
    expect(r.code).toBe(3);
    const exported = parseOtlpJsonl(readFileSync(out, 'utf8'));
    const span = only(exported.spans, 'echo');
    expect(exported.logs).toEqual([expect.objectContaining({ body: 'echoing', spanId: span.spanId })]);
    expect(exported.resources.every((r) => r['service.name'] === 'echo-svc')).toBe(true);
    expect(exported.lines.some((l) => 'resourceSpans' in l) && exported.lines.some((l) => 'resourceLogs' in l)).toBe(true);
  });

  it('prints a readable tree on stderr by default', () => {
    const r = cli(['run', 'examples/wat/demo.wat']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('hello from the guest\n');
    expect(r.stderr).toMatch(/└─ handle-request [\d.]+(µs|ms) method="GET" path="\/greet"/);
    expect(r.stderr).toMatch(/│ INFO  request received/);
    expect(r.stderr).toMatch(/METRIC render.time ms 3.5/);
    expect(r.stderr).not.toMatch(/ExperimentalWarning/);
  });

  it('invokes a reactor export and prints its result', () => {
    const g = new Guest();
    const wat = g.module(API_IMPORTS, '', `(func (export "_initialize")) (func (export "answer") (result i32) (call $enter ${g.str('answer')}) (call $exit) (i32.const 42))`);
    const out = join(tmp.dir, 'reactor.jsonl');
    const r = cli(['run', file('reactor.wat', wat), '--invoke', 'answer', '--exporter', 'otlp-jsonl', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('42\n');
    expect(parseOtlpJsonl(readFileSync(out, 'utf8')).spans.map((s) => s.name)).toEqual(['answer']);
  });

  it('exits 134 on a trap, with the message, after exporting open spans as errors', () => {
    const g = new Guest();
    const wat = g.module(`${WASI} ${API_IMPORTS}`, '', `(func (export "_start") (call $enter ${g.str('doomed')}) unreachable)`);
    const out = join(tmp.dir, 'trap.jsonl');
    const r = cli(['run', file('trap.wat', wat), '--exporter', 'otlp-jsonl', '--exporter', 'stdout', '--out', out]);
    expect(r.code).toBe(134);
    expect(r.stderr).toMatch(/guest trapped: unreachable/);
    expect(r.stderr).toMatch(/anomalies: guest-trap ×1/);
    expect(only(parseOtlpJsonl(readFileSync(out, 'utf8')).spans, 'doomed').status).toMatchObject({ code: 2 });
  });

  it('reports anomalies in the summary and rejects bad command lines', () => {
    const wat = `(module ${API_IMPORTS} (memory (export "memory") 1) (func (export "_start") (call $exit)))`;
    const r = cli(['run', file('bad.wat', wat), '--exporter', 'none']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/1 anomalies in guest input: span-exit-without-span ×1/);
    expect(cli(['run', 'x.wasm', '--exporter', 'nope']).code).toBe(2);
    expect(cli(['run']).stderr).toMatch(/missing <module.wasm>/);
  });
});
