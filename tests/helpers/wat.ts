/**
 * Builds WAT guests for tests: `g.str('text')` places UTF-8 (or raw bytes) in a data segment and
 * returns the `(i32.const ptr) (i32.const len)` operands that pass it to an import.
 */
import { API_MODULE, INSTRUMENT_MODULE, LEGACY_MODULE } from '../../host/abi/spec.ts';

export const API_IMPORTS = `
  (import "${API_MODULE}" "span-enter" (func $enter (param i32 i32)))
  (import "${API_MODULE}" "span-exit" (func $exit))
  (import "${API_MODULE}" "span-tags" (func $tags (param i32 i32)))
  (import "${API_MODULE}" "log" (func $log (param i32 i32 i32)))
  (import "${API_MODULE}" "metric" (func $metric (param i32 i32 i32)))`;

export const LEGACY_IMPORTS = `
  (import "${LEGACY_MODULE}" "span_enter" (func $enter (param i64 i32)))
  (import "${LEGACY_MODULE}" "span_exit" (func $exit))
  (import "${LEGACY_MODULE}" "span_tags" (func $tags (param i64 i32)))
  (import "${LEGACY_MODULE}" "log" (func $log (param i32 i64 i32)))
  (import "${LEGACY_MODULE}" "metric" (func $metric (param i32 i64 i32)))`;

export const INSTRUMENT_IMPORTS = `
  (import "${INSTRUMENT_MODULE}" "enter" (func $fenter (param i32)))
  (import "${INSTRUMENT_MODULE}" "exit" (func $fexit (param i32)))
  (import "${INSTRUMENT_MODULE}" "memory-grow" (func $grow (param i32)))`;

export const LEGACY_INSTRUMENT_IMPORTS = `
  (import "${LEGACY_MODULE}" "instrument_enter" (func $fenter (param i32)))
  (import "${LEGACY_MODULE}" "instrument_exit" (func $fexit (param i32)))
  (import "${LEGACY_MODULE}" "instrument_memory_grow" (func $grow (param i32)))`;

export class Guest {
  private next = 1024;
  private readonly data: string[] = [];
  constructor(private readonly pointer: 'i32' | 'i64' = 'i32') {}

  /** Operands for a string (or raw bytes) placed in memory. */
  str(text: string | Uint8Array): string {
    const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    const ptr = this.next;
    this.next += bytes.length + 8;
    const escaped = Array.from(bytes, (b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
    this.data.push(`(data (i32.const ${ptr}) "${escaped}")`);
    return `(${this.pointer}.const ${ptr}) (i32.const ${bytes.length})`;
  }

  /** A module with the given imports, one page of exported memory, and `body` as export `run`. */
  module(imports: string, body: string, extra = ''): string {
    return `(module ${imports}
  (memory (export "memory") 1)
  ${this.data.join('\n  ')}
  ${extra}
  (func (export "run") ${body}))`;
  }
}
