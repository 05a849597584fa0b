/**
 * Demangling of Rust (legacy and v0) and C++ (Itanium) symbols with gecko-profiler-demangle,
 * the Firefox profiler's build of `rustc-demangle` and `cpp_demangle` as WebAssembly. Its package
 * targets bundlers, so the wasm is instantiated here by hand.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let loaded: Promise<(name: string) => string> | undefined;

/** Itanium C++ and Rust legacy (`_Z…`) and Rust v0 (`_R…`), with an optional extra underscore. */
const MANGLED = /^__?[ZR]/;

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
    // demangle_any also strips one leading underscore from plain C names (`__rust_alloc`), as
    // for Mach-O symbols; only names in a mangling scheme go through it.
    return (name: string) => (MANGLED.test(name) ? glue.demangle_any(name) : name);
  })();
  return loaded;
}
