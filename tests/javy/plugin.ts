/**
 * A real Javy 7 runtime for tests: the plugin shipped in `@chainlink/cre-sdk-javy-plugin`
 * (QuickJS built with javy-plugin-api; a pinned devDependency, BUSL-1.1, used for tests only).
 *
 * What `javy build -C dynamic` does, done with the plugin itself: bundle the JS with esbuild,
 * compile it to QuickJS bytecode with the plugin's own `compile-src`, and wrap the bytecode in a
 * dynamically linked module shaped as Javy's code generator makes it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { watToWasm } from '../../host/node/load.ts';
import { NAMESPACE_SECTION, withTrappingImports } from '../../host/javy/plugin.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PLUGIN_PATH = `${ROOT}node_modules/@chainlink/cre-sdk-javy-plugin/dist/javy-chainlink-sdk.plugin.wasm`;

let compiled: WebAssembly.Module | undefined;

/** The plugin, compiled once per test file. */
export function pluginModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(PLUGIN_PATH));
  return compiled;
}

/** The namespace apps import the plugin under (`javy_chainlink_sdk`). */
export function pluginNamespace(): string {
  return new TextDecoder().decode(WebAssembly.Module.customSections(pluginModule(), NAMESPACE_SECTION)[0]!);
}

/** `source` (an ES module that may import the binding) as the one file Javy compiles. */
async function bundle(source: string): Promise<string> {
  const out = await build({
    stdin: { contents: source, resolveDir: ROOT, sourcefile: 'main.js', loader: 'js' },
    bundle: true,
    format: 'esm',
    target: 'es2020',
    write: false,
  });
  return out.outputFiles[0]!.text;
}

/** QuickJS bytecode for `js`, from the plugin's `compile-src`; throws the plugin's error text. */
async function compileSource(js: string): Promise<Uint8Array> {
  const { WASI } = await import('node:wasi');
  const wasi = new WASI({ version: 'preview1', returnOnExit: true });
  const instance = await WebAssembly.instantiate(
    pluginModule(),
    withTrappingImports(pluginModule(), { wasi_snapshot_preview1: wasi.wasiImport }, 'the Javy plugin'),
  );
  const e = instance.exports as {
    memory: WebAssembly.Memory;
    'initialize-runtime': () => void;
    cabi_realloc: (ptr: number, size: number, align: number, newSize: number) => number;
    'compile-src': (ptr: number, len: number) => number;
  };
  wasi.initialize({ exports: { memory: e.memory, _initialize() {} } });
  e['initialize-runtime']();
  const src = new TextEncoder().encode(js);
  const ptr = e.cabi_realloc(0, 0, 1, src.length);
  new Uint8Array(e.memory.buffer).set(src, ptr);
  const ret = e['compile-src'](ptr, src.length);
  const view = new DataView(e.memory.buffer);
  const [tag, at, len] = [view.getUint8(ret), view.getUint32(ret + 4, true), view.getUint32(ret + 8, true)];
  const bytes = new Uint8Array(e.memory.buffer, at, len).slice();
  if (tag !== 0) throw new Error(`compile-src: ${new TextDecoder().decode(bytes)}`);
  return bytes;
}

/**
 * A dynamically linked module as Javy's code generator writes it: the bytecode in a passive
 * data segment; `_start` allocates room in the plugin's memory with `cabi_realloc`, copies the
 * bytecode there with `memory.init`, and runs the top level with `invoke(ptr, len, 0, 0, 0)`.
 */
export async function dynamicModule(bytecode: Uint8Array, namespace = pluginNamespace()): Promise<Uint8Array<ArrayBuffer>> {
  const data = Array.from(bytecode, (b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
  const wat = `(module
  (import "${namespace}" "cabi_realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
  (import "${namespace}" "invoke" (func $invoke (param i32 i32 i32 i32 i32)))
  (import "${namespace}" "memory" (memory 0))
  (data $bytecode "${data}")
  (func (export "_start") (local $ptr i32)
    (local.set $ptr (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (i32.const ${bytecode.length})))
    (memory.init $bytecode (local.get $ptr) (i32.const 0) (i32.const ${bytecode.length}))
    (call $invoke (local.get $ptr) (i32.const ${bytecode.length}) (i32.const 0) (i32.const 0) (i32.const 0))))`;
  return watToWasm(wat, 'dynamic.wat');
}

/** `source`, bundled, compiled by the plugin and wrapped: what `javy build -C dynamic` gives. */
export async function javyBuildDynamic(source: string): Promise<Uint8Array<ArrayBuffer>> {
  return dynamicModule(await compileSource(await bundle(source)));
}
