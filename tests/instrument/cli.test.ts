/**
 * The workflow a user follows, through the real CLI in child processes: inspect, instrument,
 * inspect again, run — and the refusals, which must leave no output file behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOtlpJsonl, scratch } from '../helpers/otlp.ts';
import { command, short } from './guests.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { dir, remove } = scratch();
afterAll(remove);

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/wasm-observe.js', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('wasm-observe instrument and inspect', () => {
  it('instruments a WASI program that then runs with its call tree and memory growth', async () => {
    const input = join(dir, 'command.wasm');
    const output = join(dir, 'command.instrumented.wasm');
    writeFileSync(input, await command());

    const before = await cli('inspect', input);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/observe imports: none/);
    expect(before.stdout).toMatch(/instrumented: no/);

    const made = await cli('instrument', input, '-o', output);
    expect(made.code, made.stderr).toBe(0);
    const counts = /instrumented (\d+) functions, (\d+) imports and \d+ memory.grow sites \((\d+) small leaf functions left out\)/.exec(made.stderr);
    expect(counts, made.stderr).not.toBeNull();
    const every = await cli('instrument', input, '-o', `${output}.all`, '--all-functions');
    expect(every.stderr).toMatch(/\(0 small leaf functions left out\)/);

    const after = await cli('inspect', output, '--json');
    const report = JSON.parse(after.stdout);
    expect(report.instrumented).toBe(true);
    expect(report.instrumentedBy).toEqual({ functions: Number(counts![1]), imports: Number(counts![2]), smallLeaves: Number(counts![3]), smallLeafBound: 128 });
    expect((await cli('inspect', output)).stdout).toMatch(new RegExp(`${counts![3]} small leaf functions left out`));
    expect(report.instrumentVersion).toEqual({ major: 0, minor: 4 });
    expect(report.observeImports.map((i: { name: string }) => i.name)).toEqual(['enter', 'exit', 'memory-grow']);
    expect(report.namedFunctions).toBe(report.functions.imported + report.functions.defined);

    const jsonl = join(dir, 'trace.jsonl');
    const run = await cli('run', output, '--exporter', 'otlp-jsonl', '--out', jsonl, '--min-span-us', '0');
    expect(run.code).toBe(3); // the program's own exit code
    const { spans } = parseOtlpJsonl(readFileSync(jsonl, 'utf8'));
    const fib = spans.find((s) => short(s.name) === 'fib')!;
    expect(spans.find((s) => s.spanId === fib.parentSpanId)).toBeDefined();
    const grown = spans.filter((s) => s.attributes.allocation !== undefined);
    expect(grown.map((s) => [short(s.name), s.attributes.allocation])).toEqual([['~lib/rt/tlsf/growMemory', 35]]);
  });

  it('refuses an instrumented module and writes nothing', async () => {
    const input = join(dir, 'twice.wasm');
    const output = join(dir, 'twice.out.wasm');
    writeFileSync(input, await command());
    expect((await cli('instrument', input, '-o', input + '.1')).code).toBe(0);
    const again = await cli('instrument', input + '.1', '-o', output);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already instrumented/);
    expect(existsSync(output)).toBe(false);
  });

  it('refuses a file that is not a module and writes nothing', async () => {
    const input = join(dir, 'text.wasm');
    const output = join(dir, 'text.out.wasm');
    writeFileSync(input, 'hello');
    const result = await cli('instrument', input, '-o', output);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not a WebAssembly module/);
    expect(existsSync(output)).toBe(false);
    expect((await cli('inspect', input)).code).toBe(1);
  });

  it('explains its options and rejects a missing output', async () => {
    const help = await cli('instrument', '--help');
    expect(help.stdout).toMatch(/--exported-only/);
    const missing = await cli('instrument', join(dir, 'command.wasm'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing -o/);
  });
});
