/**
 * Dynamically linked Javy modules (`javy build -C dynamic`): a few KB of Wasm holding bytecode,
 * importing QuickJS (`cabi_realloc`, `invoke`, `memory`) from a plugin module under the
 * plugin's import namespace. The plugin is instantiated first, under the Observer (so a plugin
 * linked with javy-link reports through the Observe imports, and its memory is the one guest
 * strings are read from), then the app with the plugin's exports as that namespace.
 */
import { API_MODULE } from '../abi/spec.ts';
import type { GuestHost } from '../wasi.ts';
import * as wasm from '../tools/wasm-binary.ts';

const WASI_MODULE = 'wasi_snapshot_preview1';
/** Custom section in which a Javy plugin names the namespace apps import it under. */
export const NAMESPACE_SECTION = 'import_namespace';
/** Export of a plugin not pre-initialized by `javy init-plugin`: sets up QuickJS. */
const INITIALIZE_RUNTIME = 'initialize-runtime';

/** What the WASI runner needs of an instance: its exports (memory, `_start`, functions). */
export interface RunnableInstance {
  readonly exports: WebAssembly.Exports;
}

/**
 * The plugin namespace a module imports QuickJS from, if it has the shape of a dynamically
 * linked Javy module (`cabi_realloc`, `invoke` and `memory` from one namespace); else undefined.
 * Read from the bytes, so a runner can explain what is missing before compiling anything.
 */
export function dynamicJavyNamespace(bytes: Uint8Array): string | undefined {
  let imports: wasm.Import[];
  try {
    imports = wasm.imports(wasm.sections(bytes));
  } catch {
    return undefined;
  }
  const namespaces = new Set(imports.filter((i) => i.name === 'invoke').map((i) => i.module));
  return [...namespaces].find((ns) => ['cabi_realloc', 'memory'].every((name) => imports.some((i) => i.module === ns && i.name === name)));
}

/** The namespace an app imports the plugin under: the plugin's `import_namespace` section. */
export function pluginNamespace(plugin: WebAssembly.Module, app: WebAssembly.Module): string {
  const section = WebAssembly.Module.customSections(plugin, NAMESPACE_SECTION)[0];
  if (section !== undefined) return new TextDecoder().decode(section);
  // Older plugins carry no section: the one module the app imports only plugin exports from.
  const exported = new Set(WebAssembly.Module.exports(plugin).map((e) => e.name));
  const modules = new Set(WebAssembly.Module.imports(app).map((i) => i.module));
  const candidates = [...modules].filter(
    (m) => m !== WASI_MODULE && m !== API_MODULE && WebAssembly.Module.imports(app).every((i) => i.module !== m || exported.has(i.name)),
  );
  if (candidates.length !== 1) {
    throw new Error(`the plugin has no '${NAMESPACE_SECTION}' section and the app's imports do not name one plugin namespace`);
  }
  return candidates[0]!;
}

/**
 * `imports` plus, for every function import of `module` it does not provide, a function that
 * traps with a message naming the import: a plugin may import host functions of its own
 * platform, and an app that never calls them must still run.
 */
export function withTrappingImports(module: WebAssembly.Module, imports: WebAssembly.Imports, who: string): WebAssembly.Imports {
  const out: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const [name, values] of Object.entries(imports)) out[name] = { ...values };
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== 'function' || out[imp.module]?.[imp.name] !== undefined) continue;
    (out[imp.module] ??= {})[imp.name] = () => {
      throw new WebAssembly.RuntimeError(`${who} called ${imp.module}.${imp.name}, which wasm-observe does not provide`);
    };
  }
  return out;
}

/**
 * Instantiates `plugin` under `observer` with `imports` (WASI and the like), then `app` against
 * it. Returns the app's exports with the plugin's memory as `memory`, each function export
 * first calling the plugin's `initialize-runtime` once, inside the run, where WASI is bound.
 */
export async function instantiateWithPlugin(
  app: WebAssembly.Module,
  plugin: WebAssembly.Module,
  observer: Pick<GuestHost, 'imports' | 'instantiate'>,
  imports: WebAssembly.Imports,
): Promise<RunnableInstance> {
  const namespace = pluginNamespace(plugin, app);
  const pluginInstance = await observer.instantiate(plugin, withTrappingImports(plugin, { ...observer.imports(), ...imports }, 'the Javy plugin'));
  const appImports = withTrappingImports(app, { ...observer.imports(), ...imports, [namespace]: pluginInstance.exports }, 'the Javy app');
  const appInstance = await WebAssembly.instantiate(app, appImports);

  const initialize = pluginInstance.exports[INITIALIZE_RUNTIME];
  let initialized = typeof initialize !== 'function';
  const ready = () => {
    if (initialized) return;
    initialized = true;
    (initialize as () => void)();
  };
  const exports: Record<string, WebAssembly.ExportValue> = {};
  for (const [name, value] of Object.entries(appInstance.exports)) {
    exports[name] =
      typeof value === 'function'
        ? (...args: unknown[]) => {
            ready();
            return (value as (...a: unknown[]) => unknown)(...args);
          }
        : value;
  }
  if (!(exports.memory instanceof WebAssembly.Memory) && pluginInstance.exports.memory instanceof WebAssembly.Memory) {
    exports.memory = pluginInstance.exports.memory;
  }
  return { exports };
}
