/**
 * Runs the Javy binding's real source in QuickJS (quickjs-emscripten), with a `Javy.IO`
 * installed the way Javy installs it: a native `__javy_io_writeSync(fd, buffer, offset, length)`
 * behind a JS `writeSync` that checks for a Uint8Array. Captures every write, in order.
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
}

// Javy's own JS shim is equivalent to this; see crates/javy/src/apis/stream_io/io.js upstream.
const JAVY_IO = `
  globalThis.Javy = globalThis.Javy || {};
  const write = globalThis.__javy_io_writeSync;
  globalThis.Javy.IO = {
    writeSync(fd, data) {
      if (!(data instanceof Uint8Array)) throw TypeError('Data needs to be an Uint8Array');
      return write(fd, data.buffer, data.byteOffset, data.byteLength);
    },
  };
  delete globalThis.__javy_io_writeSync;
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

function installJavyIO(vm: QuickJSContext, writes: FdWrite[]): void {
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

/** Runs `script` (an ES module that may import BINDING) and returns what it wrote. */
export async function runInQuickJS(script: string, options: QuickJSOptions = {}): Promise<QuickJSRun> {
  const QuickJS = await getQuickJS();
  const runtime = QuickJS.newRuntime();
  runtime.setModuleLoader((name) => readFileSync(ROOT + name, 'utf8'));
  const vm = runtime.newContext();
  const writes: FdWrite[] = [];
  try {
    if (options.javy !== false) installJavyIO(vm, writes);
    if (options.textEncoder) installTextEncoder(vm);
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
