// examples/host/loader.ts as its header says to run it: an AssemblyScript reactor built by asc,
// loaded with @assemblyscript/loader, strings passed in with __newString, traced by an Observer.
// Also pins why the README sends AssemblyScript users to the loader: asc's generated bindings
// cannot call the Observe imports.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Observer } from '../../host/index.ts';
import { parseOtlpJsonl, scratch } from '../helpers/otlp.ts';

const tmp = scratch();
afterAll(tmp.remove);

/** asc run from examples/assemblyscript, as the example's header does it. */
function asc(args: string[]): void {
  const r = spawnSync(join(import.meta.dirname, '../../node_modules/.bin/asc'), ['greeter.ts', ...args], { cwd: 'examples/assemblyscript', encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}

describe('examples/host/loader.ts', () => {
  it('greets through the loader, each call one trace with its span, tag, logs and metric', () => {
    const wasm = join(tmp.dir, 'greeter.wasm');
    const out = join(tmp.dir, 'trace.jsonl');
    asc(['--exportRuntime', '-o', wasm]);
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'examples/host/loader.ts', wasm, out], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Hello, Ada!\nHello, Zoë!\nHello, stranger!\n');

    const { spans, logs, metrics } = parseOtlpJsonl(readFileSync(out, 'utf8'));
    expect(spans.map((s) => [s.name, s.attributes.name])).toEqual([
      ['greet', 'Ada'],
      ['greet', 'Zoë'],
      ['greet', ''],
    ]);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(3);
    expect(logs.map((l) => [l.body, l.spanId === spans[2]!.spanId])).toEqual([
      ['greeting Ada', false],
      ['greeting Zoë', false],
      ['no name given', true],
      ['greeting stranger', true],
    ]);
    expect(metrics).toEqual([expect.objectContaining({ name: 'greetings', value: 3 })]);
  });
});

describe("asc's generated bindings", () => {
  it('--bindings raw writes the hyphenated import names as JavaScript expressions, which throw', async () => {
    const wasm = join(tmp.dir, 'raw', 'greeter.wasm');
    asc(['--bindings', 'raw', '-o', wasm]);
    const js = readFileSync(wasm.replace(/\.wasm$/, '.js'), 'utf8');
    expect(js).toContain('__module0.span-enter(ptr, len)');
    const bindings = (await import(pathToFileURL(wasm.replace(/\.wasm$/, '.js')).href)) as {
      instantiate(module: WebAssembly.Module, imports: WebAssembly.Imports): Promise<{ greet(name: string): string }>;
    };
    const observer = new Observer();
    const module = await WebAssembly.compile(readFileSync(wasm));
    const exports = await bindings.instantiate(module, observer.imports(module));
    expect(() => exports.greet('Ada')).toThrow(/enter is not defined/);
  });

  it('--bindings esm imports the Observe namespace as a JavaScript module', () => {
    const wasm = join(tmp.dir, 'esm', 'greeter.wasm');
    asc(['--bindings', 'esm', '-o', wasm]);
    expect(readFileSync(wasm.replace(/\.wasm$/, '.js'), 'utf8')).toMatch(/^import \* as \w+ from "dylibso:observe\/api";/m);
  });
});
