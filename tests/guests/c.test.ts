/**
 * A guest from another toolchain: the C example, compiled with clang and wasi-libc (installed by
 * .ci/run from Debian's packages), run as a new user would, through the CLI.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ancestors, only, parseOtlpJsonl, runTraced, scratch } from '../helpers/otlp.ts';
import { instrumentModule } from '../../host/tools/instrument.ts';
import { withStdout } from '../instrument/guests.ts';
import { needsClang } from './clang.ts';

const tmp = scratch();
afterAll(tmp.remove);

describe('a C guest (clang + wasi-libc)', () => {
  it.skipIf(needsClang)('reports its spans, tags, logs and metrics through the CLI', () => {
    const wasm = join(tmp.dir, 'word-count.wasm');
    const cc = spawnSync('clang', ['--target=wasm32-wasi', '--sysroot=/usr', '-O2', '-o', wasm, 'examples/c/main.c'], { encoding: 'utf8' });
    expect(cc.error?.message ?? cc.stderr).toBe('');
    const out = join(tmp.dir, 'out.jsonl');
    const run = spawnSync(process.execPath, ['bin/wasm-observe.js', 'run', wasm, '--exporter', 'otlp-jsonl', '--out', out], {
      input: 'the quick brown fox',
      encoding: 'utf8',
    });
    expect(run.stdout).toBe('4\n');
    expect(run.status).toBe(0);
    const exported = parseOtlpJsonl(readFileSync(out, 'utf8'));
    const root = only(exported.spans, 'word-count');
    expect(only(exported.spans, 'count-words').parentSpanId).toBe(root.spanId);
    expect(root.attributes).toEqual({ lang: 'c', input: 'stdin' });
    expect(exported.logs).toEqual([expect.objectContaining({ body: 'read input', severityText: 'INFO', spanId: root.spanId })]);
    expect(exported.metrics).toEqual([expect.objectContaining({ name: 'words.counted', value: 4 })]);
  });
});

describe('a C reactor (clang -mexec-model=reactor)', () => {
  it.skipIf(needsClang)('ends like a process after --invoke: destructors flush stdout, inside the trace', async () => {
    const wasm = join(tmp.dir, 'reactor.wasm');
    const cc = spawnSync(
      'clang',
      // -O0: at -O1 and up clang runs binaryen's wasm-opt when it is on the PATH (it is, under npm
      // scripts), which strips the name section.
      ['--target=wasm32-wasi', '--sysroot=/usr', '-mexec-model=reactor', '-Wl,--export=__wasm_call_dtors', '-O0', '-o', wasm, 'tests/guests/c/reactor.c'],
      { encoding: 'utf8' },
    );
    expect(cc.error?.message ?? cc.stderr).toBe('');
    const bytes = await instrumentModule(readFileSync(wasm));
    const run = await withStdout((fd) =>
      runTraced(bytes, { stdio: [0, fd, 2], invoke: 'greet', invokeArgs: [41], observer: { minSpanDurationMicros: 0 } }),
    );
    expect(run.result.returnValue).toBe(42);
    // printf left "hello 41" in stdio's buffer; only the destructors write it out.
    expect(run.stdout).toBe('hello 41');
    const dtors = only(run.spans, '__wasm_call_dtors');
    expect(run.spans.find((s) => s.name === 'greet')!.traceId).toBe(dtors.traceId);
    const write = run.spans.find((s) => s.name === 'wasi_snapshot_preview1.fd_write')!;
    expect(ancestors(run.spans, write.spanId)).toContain('__wasm_call_dtors');
  });
});
