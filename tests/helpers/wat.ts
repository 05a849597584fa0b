/**
 * Builds WAT guests for tests: `g.str('text')` places UTF-8 (or raw bytes) in a data segment and
 * returns the `(i32.const ptr) (i32.const len)` operands that pass it to an import.
 */
import { API_MODULE, IMPORTS, INSTRUMENT_MODULE, LEGACY_MODULE, type ImportKind } from '../../host/abi/spec.ts';

/** The WAT name each test guest uses for an import, whatever namespace spells it. */
const ALIAS: Record<ImportKind, string> = {
  'span-enter': '$enter',
  'span-exit': '$exit',
  'span-tags': '$tags',
  log: '$log',
  metric: '$metric',
  'function-enter': '$fenter',
  'function-exit': '$fexit',
  'memory-grow': '$grow',
};

/** Import declarations for one namespace's functions, read from the ABI table. */
function importsOf(module: string, kinds: readonly ImportKind[]): string {
  return IMPORTS.filter((i) => i.module === module && kinds.includes(i.kind))
    .map((i) => `(import "${i.module}" "${i.name}" (func ${ALIAS[i.kind]}${i.params.length ? ` (param ${i.params.join(' ')})` : ''}))`)
    .join('\n  ');
}

const MANUAL: readonly ImportKind[] = ['span-enter', 'span-exit', 'span-tags', 'log', 'metric'];
const AUTOMATIC: readonly ImportKind[] = ['function-enter', 'function-exit', 'memory-grow'];

export const API_IMPORTS = importsOf(API_MODULE, MANUAL);
export const LEGACY_IMPORTS = importsOf(LEGACY_MODULE, MANUAL);
export const INSTRUMENT_IMPORTS = importsOf(INSTRUMENT_MODULE, AUTOMATIC);
export const LEGACY_INSTRUMENT_IMPORTS = importsOf(LEGACY_MODULE, AUTOMATIC);

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
