/**
 * Reads a module from disk. A `.wat` file is compiled with wabt first, so small guests can be
 * written and run as text.
 */
import { readFile } from 'node:fs/promises';

export async function loadWasm(path: string): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = await readFile(path);
  return path.endsWith('.wat') ? watToWasm(bytes.toString('utf8'), path) : bytes;
}

/**
 * Compiles WebAssembly text, keeping `$names` as a name section. Accepts the proposals Node 20
 * runs (bulk memory, mutable globals, sign extension, multi-value, tail calls).
 */
export async function watToWasm(text: string, filename = 'module.wat'): Promise<Uint8Array<ArrayBuffer>> {
  const { default: initWabt } = await import('wabt');
  const wabt = await initWabt();
  const parsed = wabt.parseWat(filename, text, { bulk_memory: true, mutable_globals: true, sign_extension: true, multi_value: true, tail_call: true });
  try {
    parsed.resolveNames();
    parsed.validate();
    return parsed.toBinary({ write_debug_names: true }).buffer as Uint8Array<ArrayBuffer>;
  } finally {
    parsed.destroy();
  }
}
