/**
 * The instrumenter's test guests, compiled from tests/instrument/guests/ in the test run (once
 * per test file), and small helpers to read traces of them.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { compile, WASI_COMMAND } from '../assemblyscript/asc.ts';
import { scratch, type Span } from '../helpers/otlp.ts';

const DIR = 'tests/instrument/guests';
const cache = new Map<string, Promise<Uint8Array>>();

function build(key: string, args: string[]): Promise<Uint8Array> {
  let built = cache.get(key);
  if (!built) cache.set(key, (built = compile(args)));
  return built;
}

/** calls.ts as a plain module; `debug` keeps asc's name section. No imports besides Observe. */
export const calls = (debug = true): Promise<Uint8Array> =>
  build(`calls${debug}`, [`${DIR}/calls.ts`, '--use', 'abort=', ...(debug ? ['--debug'] : [])]);

export const command = (): Promise<Uint8Array> => build('command', [...WASI_COMMAND, `${DIR}/command.ts`, '--debug']);

/** The wasi-shim makes a command; exporting `_initialize` instead makes it a reactor. */
export const reactor = (): Promise<Uint8Array> =>
  build('reactor', [...WASI_COMMAND, `${DIR}/reactor.ts`, '--debug', '--exportStart', '_initialize']);

/** Instrument every function: small leaf ones (isOdd, double, classify, …) are left out by default; these tests expect them. */
export const ALL = { allFunctions: true } as const;

/** Function names as asc writes them: `tests/instrument/guests/calls/fib` → `fib`. */
export function short(name: string): string {
  return name.replace(/^tests\/instrument\/guests\/\w+\//, '');
}

/** The spans of the trace holding a span named `name` (start-function spans are another trace). */
export function traceOf(spans: Span[], name: string): Span[] {
  const root = spans.find((s) => short(s.name) === name);
  if (!root) throw new Error(`no span ${name} among ${spans.map((s) => s.name).join(', ')}`);
  return spans.filter((s) => s.traceId === root.traceId);
}

/** A call tree as text, children in start order: `fib(fib(fib,fib),fib)`. */
export function tree(spans: Span[], keep: (name: string) => boolean = () => true): string {
  const children = new Map<string | undefined, Span[]>();
  const ids = new Set(spans.map((s) => s.spanId));
  for (const s of spans) {
    const parent = s.parentSpanId !== undefined && ids.has(s.parentSpanId) ? s.parentSpanId : undefined;
    (children.get(parent) ?? children.set(parent, []).get(parent)!).push(s);
  }
  const render = (parent: string | undefined): string[] =>
    (children.get(parent) ?? [])
      .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
      .flatMap((s) => {
        const inner = render(s.spanId);
        if (!keep(short(s.name))) return inner;
        return [inner.length > 0 ? `${short(s.name)}(${inner.join(',')})` : short(s.name)];
      });
  return render(undefined).join(',');
}

export function counts(spans: Span[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of spans) out[short(s.name)] = (out[short(s.name)] ?? 0) + 1;
  return out;
}

/** Total pages reported as grown: the spans' `allocation`. */
export function pagesGrown(spans: Span[]): number {
  return spans.reduce((n, s) => n + Number(s.attributes.allocation ?? 0), 0);
}

export interface WasiRun {
  stdout: string;
  exitCode: number;
  returnValue?: unknown;
  /** Linear memory size in pages before and after the run. */
  pages: { before: number; after: number };
}

/**
 * Runs a WASI module with Node's WASI and no Observe host at all (the instrument imports, if
 * any, do nothing): the reference behaviour the instrumented module must reproduce.
 */
export function runPlain(bytes: Uint8Array, invoke?: { name: string; args: number[] }): Promise<WasiRun> {
  return withStdout(async (fd) => {
    const wasi = new WASI({ version: 'preview1', args: ['guest'], env: {}, stdout: fd, returnOnExit: true });
    const module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
    const noop = () => {};
    const observe: WebAssembly.Imports = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imp.module !== 'wasi_snapshot_preview1') (observe[imp.module] ??= {})[imp.name] = noop;
    }
    const instance = await WebAssembly.instantiate(module, { ...observe, wasi_snapshot_preview1: wasi.wasiImport });
    const memory = instance.exports.memory as WebAssembly.Memory;
    const before = memory.buffer.byteLength / 65536;
    let exitCode = 0;
    let returnValue: unknown;
    if (invoke) {
      wasi.initialize(instance);
      returnValue = (instance.exports[invoke.name] as (...a: number[]) => unknown)(...invoke.args);
    } else {
      exitCode = wasi.start(instance);
    }
    return { exitCode, returnValue, pages: { before, after: memory.buffer.byteLength / 65536 } };
  });
}

/** Calls `run` with a file descriptor to give the guest as stdout; adds what was written to it. */
export async function withStdout<T>(run: (fd: number) => Promise<T>): Promise<T & { stdout: string }> {
  const tmp = scratch();
  const path = join(tmp.dir, 'stdout');
  const fd = openSync(path, 'w');
  try {
    const result = await run(fd);
    return { ...result, stdout: readFileSync(path, 'utf8') };
  } finally {
    closeSync(fd);
    tmp.remove();
  }
}
