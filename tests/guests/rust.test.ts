/**
 * A program from another toolchain, instrumented as a new user would: plain Rust compiled by
 * Debian's rustc for wasm32-wasi (installed by .ci/run), run before and after `instrument`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOtlpJsonl, scratch } from '../helpers/otlp.ts';

// Debian's rustc ships the wasm32-wasi standard library; a rustup toolchain may lack it.
const RUSTC = '/usr/bin/rustc';
const hasToolchain = existsSync(RUSTC) && existsSync('/usr/lib/rustlib/wasm32-wasi');
const tmp = scratch();
afterAll(tmp.remove);

const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/wasm-observe.js', ...args], { encoding: 'utf8' });

describe('a Rust program instrumented with wasm-observe instrument', () => {
  it.skipIf(!hasToolchain && !process.env.CI)('behaves the same and shows its call tree with demangled names', () => {
    const plain = join(tmp.dir, 'words.wasm');
    const instrumented = join(tmp.dir, 'words.observe.wasm');
    const out = join(tmp.dir, 'trace.jsonl');
    const rustc = spawnSync(RUSTC, ['--target', 'wasm32-wasi', '-C', 'opt-level=0', '-g', '-o', plain, 'examples/rust/main.rs'], { encoding: 'utf8' });
    expect(rustc.error?.message ?? rustc.status, rustc.stderr).toBe(0);
    expect(cli('instrument', plain, '-o', instrumented, '-q').status).toBe(0);
    // -g: the DWARF sections (.debug_info, …) come out byte for byte as they went in.
    const customSections = (path: string) => {
      const module = new WebAssembly.Module(readFileSync(path));
      const names = ['.debug_info', '.debug_line', '.debug_abbrev', '.debug_str', 'producers'];
      return names.map((n) => WebAssembly.Module.customSections(module, n).map((b) => Buffer.from(b).toString('hex')));
    };
    expect(customSections(plain)[0]).toHaveLength(1);
    expect(customSections(instrumented)).toEqual(customSections(plain));

    const before = cli('run', plain, '--exporter', 'none', '--', 'the', 'quick', 'brown', 'fox');
    const after = cli('run', instrumented, '--exporter', 'otlp-jsonl', '--out', out, '--min-span-us', '0', '--', 'the', 'quick', 'brown', 'fox');
    expect(after.stdout).toBe('4 words, longest Some("brown"), fib(10) = 55, buffer 196608 bytes\n');
    expect(after.stdout).toBe(before.stdout);
    expect(after.status).toBe(before.status);

    const { spans } = parseOtlpJsonl(readFileSync(out, 'utf8'));
    const names = spans.map((s) => s.name);
    expect(names).toContain('main::main');
    expect(names).toContain('main::Words::parse');
    expect(names.filter((n) => n === 'main::fib')).toHaveLength(177); // fib(10) makes 177 calls (at opt-level 0 none is folded away)
    const main = spans.find((s) => s.name === 'main::main')!;
    const parse = spans.find((s) => s.name === 'main::Words::parse')!;
    expect(parse.parentSpanId).toBe(main.spanId);
    const grown = spans.reduce((sum, s) => sum + Number(s.attributes.allocation ?? 0), 0);
    expect(grown).toBeGreaterThanOrEqual(3); // pages
  });
});
