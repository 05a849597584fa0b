/**
 * Runs the Javy binding's real source in QuickJS (quickjs-emscripten), with a `Javy.IO`
 * installed the way Javy installs it for `-J javy-stream-io=y`: native
 * `__javy_io_writeSync`/`__javy_io_readSync(fd, buffer, offset, length)` behind JS functions
 * that check for a Uint8Array. Captures every write, in order; reads come from `stdin`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getQuickJS, type QuickJSContext, type QuickJSHandle } from 'quickjs-emscripten';
import type { FdWrite } from './standin.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What guest scripts import: the binding, as a bundler would resolve it. */
export const BINDING = 'bindings/javy/index.js';

export interface QuickJSRun {
  readonly writes: FdWrite[];
  /** `globalThis.result` after the script and its pending jobs ran, dumped to JSON. */
  readonly result: unknown;
}

export interface QuickJSOptions {
  /** Install Javy.IO (default true); without it the binding must be a silent no-op. */
  javy?: boolean;
  /** Give QuickJS a TextEncoder (backed by Node's), as `javy build -J text-encoding=y` does. */
  textEncoder?: boolean;
  /** What `Javy.IO.readSync(0, …)` reads (default: nothing, end of file at once). */
  stdin?: Uint8Array;
  /**
   * Give QuickJS a `console.error` that writes as Javy's does: the text (one argument) in one
   * fd-2 write, then "\n" in another.
   */
  console?: boolean;
  /** Script run before the guest, to shape the global object (e.g. look like Node). */
  prelude?: string;
}

// Javy's own JS shim is equivalent to this; see crates/javy/src/apis/stream_io/io.js upstream.
const JAVY_IO = `
  globalThis.Javy = globalThis.Javy || {};
  const write = globalThis.__javy_io_writeSync;
  const read = globalThis.__javy_io_readSync;
  globalThis.Javy.IO = {
    writeSync(fd, data) {
      if (!(data instanceof Uint8Array)) throw TypeError('Data needs to be an Uint8Array');
      return write(fd, data.buffer, data.byteOffset, data.byteLength);
    },
    readSync(fd, data) {
      if (!(data instanceof Uint8Array)) throw TypeError('Data needs to be an Uint8Array');
      return read(fd, data, data.byteOffset, data.byteLength);
    },
  };
  delete globalThis.__javy_io_writeSync;
  delete globalThis.__javy_io_readSync;
`;

const TEXT_ENCODER = `
  const encode = globalThis.__encode;
  globalThis.TextEncoder = class TextEncoder {
    encode(s) {
      s = String(s);
      const units = [];
      for (let i = 0; i < s.length; i++) units.push(s.charCodeAt(i));
      return new Uint8Array(encode(units));
    }
  };
  delete globalThis.__encode;
`;

function installJavyIO(vm: QuickJSContext, writes: FdWrite[], stdin: Uint8Array): void {
  let stdinAt = 0;
  // Reads stdin into the guest's Uint8Array by index: quickjs-emscripten hands out copies of
  // ArrayBuffers, so the bytes are set through the view the guest passed.
  const nativeRead = vm.newFunction('__javy_io_readSync', (fdH, viewH, _offH, lenH) => {
    if (vm.getNumber(fdH) !== 0) return { error: vm.newError('Unsupported file descriptor') };
    const length = Math.min(vm.getNumber(lenH), stdin.length - stdinAt);
    for (let i = 0; i < length; i++) {
      const byte = vm.newNumber(stdin[stdinAt + i]!);
      vm.setProp(viewH, i, byte);
      byte.dispose();
    }
    stdinAt += length;
    return vm.newNumber(length);
  });
  vm.setProp(vm.global, '__javy_io_readSync', nativeRead);
  nativeRead.dispose();
  const native = vm.newFunction('__javy_io_writeSync', (fdH, bufH, offH, lenH) => {
    const fd = vm.getNumber(fdH);
    // Javy accepts stdout and stderr only.
    if (fd !== 1 && fd !== 2) return { error: vm.newError(`Unsupported file descriptor: ${fd}`) };
    const offset = vm.getNumber(offH);
    const length = vm.getNumber(lenH);
    const buffer = vm.getArrayBuffer(bufH);
    writes.push({ fd, iovecs: [buffer.value.slice(offset, offset + length)] });
    buffer.dispose();
    return vm.newNumber(length);
  });
  vm.setProp(vm.global, '__javy_io_writeSync', native);
  native.dispose();
  vm.unwrapResult(vm.evalCode(JAVY_IO, 'javy-io.js', { type: 'global' })).dispose();
}

function installTextEncoder(vm: QuickJSContext): void {
  // UTF-16 code units cross the boundary, not a string: quickjs-emscripten passes strings as
  // UTF-8, which would already have replaced lone surrogates differently.
  const encode = vm.newFunction('__encode', (units: QuickJSHandle) => {
    const bytes = new TextEncoder().encode(String.fromCharCode(...(vm.dump(units) as number[])));
    return vm.newArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  });
  vm.setProp(vm.global, '__encode', encode);
  encode.dispose();
  vm.unwrapResult(vm.evalCode(TEXT_ENCODER, 'text-encoder.js', { type: 'global' })).dispose();
}

// UTF-16 code units cross the boundary, not a string: quickjs-emscripten reads strings as C
// strings, which end at the NUL every record starts with.
const CONSOLE = `
  const error = globalThis.__console_error;
  globalThis.console = {
    error(s) {
      s = String(s);
      const units = [];
      for (let i = 0; i < s.length; i++) units.push(s.charCodeAt(i));
      error(units);
    },
  };
  delete globalThis.__console_error;
`;

function installConsole(vm: QuickJSContext, writes: FdWrite[]): void {
  const error = vm.newFunction('__console_error', (units: QuickJSHandle) => {
    writes.push({ fd: 2, iovecs: [new TextEncoder().encode(String.fromCharCode(...(vm.dump(units) as number[])))] });
    writes.push({ fd: 2, iovecs: [new TextEncoder().encode('\n')] });
  });
  vm.setProp(vm.global, '__console_error', error);
  error.dispose();
  vm.unwrapResult(vm.evalCode(CONSOLE, 'console.js', { type: 'global' })).dispose();
}

/** Runs `script` (an ES module that may import BINDING) and returns what it wrote. */
export async function runInQuickJS(script: string, options: QuickJSOptions = {}): Promise<QuickJSRun> {
  const QuickJS = await getQuickJS();
  const runtime = QuickJS.newRuntime();
  runtime.setModuleLoader((name) => readFileSync(ROOT + name, 'utf8'));
  const vm = runtime.newContext();
  const writes: FdWrite[] = [];
  try {
    if (options.javy !== false) installJavyIO(vm, writes, options.stdin ?? new Uint8Array(0));
    if (options.textEncoder) installTextEncoder(vm);
    if (options.console) installConsole(vm, writes);
    if (options.prelude) vm.unwrapResult(vm.evalCode(options.prelude, 'prelude.js', { type: 'global' })).dispose();
    vm.unwrapResult(vm.evalCode(script, 'main.js', { type: 'module' })).dispose();
    // Promise reactions (withSpan on async functions) run as pending jobs, as in Javy's event loop.
    runtime.executePendingJobs(-1).unwrap();
    const result = vm.getProp(vm.global, 'result');
    const value: unknown = vm.dump(result);
    result.dispose();
    return { writes, result: value };
  } finally {
    vm.dispose();
    runtime.dispose();
  }
}
