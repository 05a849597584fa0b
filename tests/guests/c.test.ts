/**
 * A guest from another toolchain: the C example, compiled with clang and wasi-libc (installed by
 * .ci/run from Debian's packages), run as a new user would, through the CLI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { only, parseOtlpJsonl, scratch } from '../helpers/otlp.ts';

const tmp = scratch();
afterAll(tmp.remove);

// CI installs the toolchain and must run this; elsewhere a missing clang only skips it.
const hasToolchain = spawnSync('clang', ['--version']).status === 0 && existsSync('/usr/lib/wasm32-wasi');

describe('a C guest (clang + wasi-libc)', () => {
  it.skipIf(!hasToolchain && !process.env.CI)('reports its spans, tags, logs and metrics through the CLI', () => {
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
