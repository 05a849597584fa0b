// The plugin runner with small hand-written plugins: what it calls, in which order, and how an
// import the host does not provide fails. The real plugin runs in runtime.test.ts.
import { describe, expect, it } from 'vitest';
import { watToWasm } from '../../host/node/load.ts';
import { runTraced } from '../helpers/otlp.ts';
import { pluginNamespace, NAMESPACE_SECTION } from '../../host/javy/plugin.ts';
import { customSection } from '../../host/tools/wasm-binary.ts';
import { API_IMPORTS } from '../helpers/wat.ts';
import { dynamicModule } from './plugin.ts';

/**
 * A plugin whose `invoke` traps unless `initialize-runtime` ran first, then opens and closes a
 * span named by the "bytecode" it was given (through the Observe imports: a linked plugin),
 * and calls env.platform_call when the bytecode is "call env".
 */
const PLUGIN = `(module
  ${API_IMPORTS}
  (import "env" "platform_call" (func $platform (result i32)))
  (memory (export "memory") 1)
  (global $ready (mut i32) (i32.const 0))
  (global $heap (mut i32) (i32.const 1024))
  (func (export "initialize-runtime") (global.set $ready (i32.const 1)))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get 3)))
    (local.get $p))
  (func (export "invoke") (param $ptr i32) (param $len i32) (param i32 i32 i32)
    (if (i32.eqz (global.get $ready)) (then unreachable))
    (if (i32.eq (i32.load8_u (local.get $ptr)) (i32.const 0x63)) (then (drop (call $platform))))
    (call $enter (local.get $ptr) (local.get $len))
    (call $exit)))`;

async function plugin(section = true): Promise<Uint8Array> {
  const bytes = await watToWasm(PLUGIN);
  return section ? new Uint8Array([...bytes, ...customSection(NAMESPACE_SECTION, new TextEncoder().encode('test_plugin'))]) : bytes;
}

/** A dynamically linked app, as Javy's code generator shapes it, whose "bytecode" is `text`. */
function app(text: string, namespace = 'test_plugin'): Promise<Uint8Array<ArrayBuffer>> {
  return dynamicModule(new TextEncoder().encode(text), namespace);
}

describe('runWasi with a Javy plugin', () => {
  it('initializes the runtime, links the app by the plugin namespace, reads strings from plugin memory', async () => {
    const r = await runTraced(await app('hello from bytecode'), { javyPlugin: await plugin() });
    expect(r.result).toEqual({ exitCode: 0 });
    expect(r.spans.map((s) => s.name)).toEqual(['hello from bytecode']);
  });

  it('finds the namespace from the app when the plugin has no import_namespace section', async () => {
    const bare = new WebAssembly.Module(await plugin(false) as Uint8Array<ArrayBuffer>);
    expect(pluginNamespace(bare, new WebAssembly.Module(await app('x', 'older_plugin')))).toBe('older_plugin');
    const r = await runTraced(await app('older', 'older_plugin'), { javyPlugin: await plugin(false) });
    expect(r.spans.map((s) => s.name)).toEqual(['older']);
  });

  it('ends the run with a clear error when the plugin calls an import the host lacks', async () => {
    const r = await runTraced(await app('call env'), { javyPlugin: await plugin() });
    expect(r.result.exitCode).toBe(1);
    expect(String(r.result.error)).toMatch(/the Javy plugin called env\.platform_call, which wasm-observe does not provide/);
  });
});
