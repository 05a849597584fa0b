/**
 * Demangling of Rust (legacy and v0) and C++ (Itanium) symbols with gecko-profiler-demangle,
 * the Firefox profiler's build of `rustc-demangle` and `cpp_demangle` as WebAssembly. Its package
 * targets bundlers, so the wasm is instantiated here by hand.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let loaded: Promise<(name: string) => string> | undefined;

export function loadDemangler(): Promise<(name: string) => string> {
  loaded ??= (async () => {
    const dir = dirname(createRequire(import.meta.url).resolve('gecko-profiler-demangle/package.json'));
    const glue = (await import(join(dir, 'index_bg.js'))) as {
      __wbg_set_wasm(exports: WebAssembly.Exports): void;
      demangle_any(name: string): string;
    };
    const bytes = await readFile(join(dir, 'index_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './index_bg.js': glue as unknown as WebAssembly.ModuleImports });
    glue.__wbg_set_wasm(instance.exports);
    return (name: string) => glue.demangle_any(name);
  })();
  return loaded;
}
