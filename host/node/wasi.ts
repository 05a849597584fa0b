/**
 * Runs a WASI preview1 module under an Observer: a command (`_start`) or a reactor
 * (`_initialize`, then one export), one trace per run. The guest's stdin, stdout and stderr are
 * the process's; its exit code is returned, and a trap is returned as an error, never thrown.
 */
import { loadWasm } from './load.ts';
import { runWasiModule, type RunResult, type WasiRunOptions } from '../wasi.ts';

export type { RunResult };

/** {@link WasiRunOptions}, with what Node's WASI takes, and modules given as paths or bytes too. */
export interface RunOptions extends Omit<WasiRunOptions, 'javyPlugin'> {
  /** Arguments after the program name. */
  args?: string[];
  /** Program name seen by the guest as argv[0]. Default: the module's file name or `guest`. */
  programName?: string;
  env?: Record<string, string>;
  /** Guest path → host directory. */
  preopens?: Record<string, string>;
  /** Host file descriptors for the guest's 0, 1, 2. Default: the process's own. */
  stdio?: [number, number, number];
  javyPlugin?: string | Uint8Array | WebAssembly.Module;
}

/** A compiled module from a module, its bytes, or a `.wasm` / `.wat` path (read by {@link loadWasm}). */
export async function loadModule(source: string | Uint8Array | WebAssembly.Module): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  const bytes = typeof source === 'string' ? await loadWasm(source) : source;
  return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
}

export async function runWasi(source: string | Uint8Array | WebAssembly.Module, options: RunOptions): Promise<RunResult> {
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
  const javyPlugin = options.javyPlugin === undefined ? undefined : await loadModule(options.javyPlugin);
  return runWasiModule(module, wasi, { ...options, programName: program, javyPlugin });
}
