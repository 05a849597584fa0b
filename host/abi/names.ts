/**
 * Function names from a module's `name` custom section (function-names subsection, id 1), which
 * is what instrument-API function indices refer to. A malformed section yields what was read
 * before the damage; it never throws.
 */
import { Reader } from './binary-reader.ts';

/** Subsection id of the function names inside the `name` custom section. */
export const FUNCTION_NAMES = 1;

export function functionNames(module: WebAssembly.Module): Map<number, string> {
  const names = new Map<number, string>();
  for (const section of WebAssembly.Module.customSections(module, 'name')) {
    parseNameSection(new Uint8Array(section), names);
  }
  return names;
}

export function parseNameSection(bytes: Uint8Array, into: Map<number, string>): void {
  const r = new Reader(bytes);
  try {
    while (!r.done) {
      const id = r.byte();
      const size = r.u32();
      const end = r.pos + size;
      if (id === FUNCTION_NAMES) {
        const count = r.u32();
        for (let i = 0; i < count; i++) {
          const index = r.u32();
          into.set(index, r.string());
        }
      }
      r.pos = end;
    }
  } catch {
    // Truncated or malformed: keep the names read so far.
  }
}
