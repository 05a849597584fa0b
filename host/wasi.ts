/**
 * Runs a WASI preview1 module under an Observer with any WASI implementation: Node's and Bun's
 * `node:wasi`, `@bjorn3/browser_wasi_shim` in browsers, workers and Deno, or another with the same
 * shape. A command (`_start`) or a reactor (`_initialize`, then one export) is one trace; a trap
 * is returned as an error, never thrown.
 *
 * ```ts
 * import { WASI, ConsoleStdout, OpenFile, File } from '@bjorn3/browser_wasi_shim';
 * const wasi = new WASI(['app'], [], [new OpenFile(new File([])), ConsoleStdout.lineBuffered(print), ConsoleStdout.lineBuffered(print)]);
 * const result = await runWasiModule(module, wasi, { observer });
 * ```
 */
import type { SpanContext } from '@opentelemetry/api';
import { demultiplexFdWrite, observeApi, type FdWrite } from './javy/records.ts';
import { instantiateWithPlugin } from './javy/plugin.ts';

/**
 * What running a guest needs of an Observer: its imports, instantiation, and a trace
 * around the run. An Observer is one; the CLI's guest thread is another, whose events go to the
 * main thread's Observer.
 */
export interface GuestHost {
  imports(module?: WebAssembly.Module): WebAssembly.Imports;
  instantiate(module: WebAssembly.Module, imports?: WebAssembly.Imports): Promise<WebAssembly.Instance>;
  startTrace(name: string, parent?: SpanContext): unknown;
  finishTrace(error?: unknown): unknown;
}

/** What every WASI preview1 implementation in JavaScript provides. */
export interface WasiImplementation {
  /** The `wasi_snapshot_preview1` functions. */
  readonly wasiImport: object;
  /** Runs `_start`; returns the exit code (from `proc_exit`, or 0). */
  start(instance: { exports: WebAssembly.Exports }): number | undefined | void;
  /** Binds the instance's memory and runs `_initialize` if there is one. Bun's has none. */
  initialize?(instance: { exports: WebAssembly.Exports }): void;
}

export interface WasiRunOptions {
  observer: GuestHost;
  /**
   * Call this export (after `_initialize` if there is one) instead of `_start`; then
   * `__wasm_call_dtors`, if the module exports it.
   */
  invoke?: string;
  /** Arguments for `invoke`, as numbers or BigInts. */
  invokeArgs?: (number | bigint)[];
  /** Name of the trace. Default: `run <program>` or `invoke <export>`. */
  traceName?: string;
  /** Program name for the default trace name. Default `guest`. */
  programName?: string;
  /** Make the guest's root spans children of this span. */
  parent?: SpanContext;
  /** Other imports the module needs besides WASI and the Observe API. */
  imports?: WebAssembly.Imports;
  /**
   * The Javy plugin a dynamically linked Javy module (`javy build -C dynamic`) imports QuickJS
   * from: instantiated first, under the Observer, with WASI (host/javy/plugin.ts).
   */
  javyPlugin?: WebAssembly.Module;
}

export interface RunResult {
  exitCode: number;
  /** The trap or exception that ended the run, if any. */
  error?: unknown;
  /** What `invoke` returned. */
  returnValue?: unknown;
}

export async function runWasiModule(module: WebAssembly.Module, wasi: WasiImplementation, options: WasiRunOptions): Promise<RunResult> {
  const { observer } = options;
  // Unlinked Javy modules report on fd 2 (bindings/javy/FORMAT.md): decode those records as if
  // the module had been through javy-link; all other stderr output passes through.
  const wasiImport = wasi.wasiImport as Record<string, unknown>;
  let memory: WebAssembly.Memory | undefined;
  const fdWrite = demultiplexFdWrite(wasiImport.fd_write as FdWrite, () => memory, observeApi(observer.imports()));
  const wasiImports = { wasi_snapshot_preview1: { ...wasiImport, fd_write: fdWrite } };
  // The trace starts before instantiation, so what a start function reports belongs to the run.
  observer.startTrace(traceNameOf(options), options.parent);
  try {
    const imports = { ...wasiImports, ...options.imports };
    const plugin = options.javyPlugin;
    const instance = plugin ? await instantiateWithPlugin(module, plugin, observer, imports) : await observer.instantiate(module, imports);
    const exports = instance.exports;
    const hasMemory = exports.memory instanceof WebAssembly.Memory;
    if (hasMemory) memory = exports.memory as WebAssembly.Memory;
    if (options.invoke === undefined) {
      if (typeof exports._start !== 'function') throw new Error("the module exports no '_start'; name an export to invoke");
      const exitCode = hasMemory ? (wasi.start(instance) ?? 0) : ((exports._start as () => void)(), 0);
      observer.finishTrace();
      return { exitCode };
    }
    // Node's WASI binds its memory only in start/initialize; a module without `_initialize`
    // (or a command invoked by export) gets an object that has just the memory.
    if (typeof exports._initialize === 'function') wasi.initialize ? wasi.initialize(instance) : (exports._initialize as () => void)();
    else if (hasMemory) wasi.initialize?.({ exports: { memory: exports.memory! } });
    const fn = exports[options.invoke];
    if (typeof fn !== 'function') throw new Error(`the module exports no function '${options.invoke}'`);
    const returnValue: unknown = (fn as (...a: unknown[]) => unknown)(...(options.invokeArgs ?? []));
    // A reactor ends like a process: destructors run (a libc flushes buffered output), traced.
    if (typeof exports.__wasm_call_dtors === 'function') (exports.__wasm_call_dtors as () => void)();
    observer.finishTrace();
    return { exitCode: 0, returnValue };
  } catch (error) {
    observer.finishTrace(error);
    return { exitCode: 1, error };
  }
}

/** A run's trace name: the one given, else `invoke <export>` or `run <program>`. */
export function traceNameOf(options: Pick<WasiRunOptions, 'traceName' | 'invoke' | 'programName'>): string {
  return options.traceName ?? (options.invoke ? `invoke ${options.invoke}` : `run ${options.programName ?? 'guest'}`);
}
