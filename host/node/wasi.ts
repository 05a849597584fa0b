/**
 * Runs a WASI preview1 module under an Observer: a command (`_start`) or a reactor
 * (`_initialize`, then one export), one trace per run. The guest's stdin, stdout and stderr are
 * the process's; its exit code is returned, and a trap is returned as an error, never thrown.
 */
import { loadWasm } from './load.ts';
import type { SpanContext } from '@opentelemetry/api';
import type { Observer } from '../observer.ts';
import { demultiplexFdWrite, observeApi, type FdWrite } from '../javy/records.ts';
import { instantiateWithPlugin } from '../javy/plugin.ts';

export interface RunOptions {
  observer: Observer;
  /** Arguments after the program name. */
  args?: string[];
  /** Program name seen by the guest as argv[0]. Default: the module's file name or `guest`. */
  programName?: string;
  env?: Record<string, string>;
  /** Guest path → host directory. */
  preopens?: Record<string, string>;
  /** Call this export (after `_initialize` if there is one) instead of `_start`. */
  invoke?: string;
  /** Arguments for `invoke`, as numbers or BigInts. */
  invokeArgs?: (number | bigint)[];
  /** Name of the trace. Default: `run <program>` or `invoke <export>`. */
  traceName?: string;
  /** Make the guest's root spans children of this span. */
  parent?: SpanContext;
  /** Host file descriptors for the guest's 0, 1, 2. Default: the process's own. */
  stdio?: [number, number, number];
  /** Other imports the module needs besides WASI and the Observe API. */
  imports?: WebAssembly.Imports;
  /**
   * The Javy plugin a dynamically linked Javy module (`javy build -C dynamic`) imports QuickJS
   * from: instantiated first, under the Observer, with WASI (host/javy/plugin.ts).
   */
  javyPlugin?: string | Uint8Array | WebAssembly.Module;
}

export interface RunResult {
  exitCode: number;
  /** The trap or exception that ended the run, if any. */
  error?: unknown;
  /** What `invoke` returned. */
  returnValue?: unknown;
}

/** A compiled module from a module, its bytes, or a `.wasm` / `.wat` path (read by {@link loadWasm}). */
export async function loadModule(source: string | Uint8Array | WebAssembly.Module): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  const bytes = typeof source === 'string' ? await loadWasm(source) : source;
  return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
}

export async function runWasi(source: string | Uint8Array | WebAssembly.Module, options: RunOptions): Promise<RunResult> {
  const { observer } = options;
  const module = await loadModule(source);
  const program = options.programName ?? (typeof source === 'string' ? source.split('/').pop()! : 'guest');
  const [stdin, stdout, stderr] = options.stdio ?? [0, 1, 2];
  // Imported here, not at the top: node:wasi prints an ExperimentalWarning when loaded.
  const { WASI } = await import('node:wasi');
  const wasi = new WASI({
    version: 'preview1',
    args: [program, ...(options.args ?? [])],
    env: options.env ?? {},
    preopens: options.preopens ?? {},
    stdin,
    stdout,
    stderr,
    returnOnExit: true,
  });
  // Unlinked Javy modules report on fd 2 (bindings/javy/FORMAT.md): decode those records as if
  // the module had been through javy-link; all other stderr output passes through.
  const wasiImport = wasi.wasiImport as Record<string, unknown>;
  let memory: WebAssembly.Memory | undefined;
  const fdWrite = demultiplexFdWrite(wasiImport.fd_write as FdWrite, () => memory, observeApi(observer.imports()));
  const wasiImports = { wasi_snapshot_preview1: { ...wasiImport, fd_write: fdWrite } };
  const traceName = options.traceName ?? (options.invoke ? `invoke ${options.invoke}` : `run ${program}`);
  const plugin = options.javyPlugin === undefined ? undefined : await loadModule(options.javyPlugin);

  // The trace starts before instantiation, so what a start function reports belongs to the run.
  observer.startTrace(traceName, options.parent);
  try {
    const imports = { ...wasiImports, ...options.imports };
    const instance = plugin ? await instantiateWithPlugin(module, plugin, observer, imports) : await observer.instantiate(module, imports);
    const exports = instance.exports;
    const hasMemory = exports.memory instanceof WebAssembly.Memory;
    if (hasMemory) memory = exports.memory as WebAssembly.Memory;
    if (options.invoke === undefined) {
      if (typeof exports._start !== 'function') throw new Error("the module exports no '_start'; name an export to invoke");
      const exitCode = hasMemory ? wasi.start(instance) : ((exports._start as () => void)(), 0);
      observer.finishTrace();
      return { exitCode };
    }
    // Node's WASI binds its memory only in start/initialize; a module without `_initialize`
    // (or a command invoked by export) gets an object that has just the memory.
    if (typeof exports._initialize === 'function') wasi.initialize(instance);
    else if (hasMemory) wasi.initialize({ exports: { memory: exports.memory } });
    const fn = exports[options.invoke];
    if (typeof fn !== 'function') throw new Error(`the module exports no function '${options.invoke}'`);
    const returnValue: unknown = (fn as (...a: unknown[]) => unknown)(...(options.invokeArgs ?? []));
    observer.finishTrace();
    return { exitCode: 0, returnValue };
  } catch (error) {
    observer.finishTrace(error);
    return { exitCode: 1, error };
  }
}
