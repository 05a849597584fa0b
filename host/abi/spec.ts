/**
 * The Observe ABI, written once. The host's imports, the guest libraries' tests and the
 * conformance tests all read this table; nothing else in the kit spells a module name,
 * function name or level number.
 *
 * All strings are UTF-8 bytes in the guest's linear memory, passed as (pointer, length).
 * No function returns a value: data flows one way, guest → host.
 */

/** Current manual-instrumentation API. */
export const API_MODULE = 'dylibso:observe/api';
/** Legacy module: manual API with i64 pointers, and the `instrument_*` functions. */
export const LEGACY_MODULE = 'dylibso_observe';
/** Automatic-instrumentation API (function enter/exit, memory growth). */
export const INSTRUMENT_MODULE = 'dylibso:observe/instrument';

export type ValType = 'i32' | 'i64';

/** What an import means, independent of which module/name spelled it. */
export type ImportKind =
  | 'span-enter'
  | 'span-exit'
  | 'span-tags'
  | 'log'
  | 'metric'
  | 'function-enter'
  | 'function-exit'
  | 'memory-grow';

export interface ImportSpec {
  readonly module: string;
  readonly name: string;
  readonly params: readonly ValType[];
  readonly kind: ImportKind;
}

/** Every function a guest may import, in every namespace. */
export const IMPORTS: readonly ImportSpec[] = [
  { module: API_MODULE, name: 'span-enter', params: ['i32', 'i32'], kind: 'span-enter' },
  { module: API_MODULE, name: 'span-exit', params: [], kind: 'span-exit' },
  { module: API_MODULE, name: 'span-tags', params: ['i32', 'i32'], kind: 'span-tags' },
  { module: API_MODULE, name: 'log', params: ['i32', 'i32', 'i32'], kind: 'log' },
  { module: API_MODULE, name: 'metric', params: ['i32', 'i32', 'i32'], kind: 'metric' },

  { module: LEGACY_MODULE, name: 'span_enter', params: ['i64', 'i32'], kind: 'span-enter' },
  { module: LEGACY_MODULE, name: 'span_exit', params: [], kind: 'span-exit' },
  { module: LEGACY_MODULE, name: 'span_tags', params: ['i64', 'i32'], kind: 'span-tags' },
  { module: LEGACY_MODULE, name: 'log', params: ['i32', 'i64', 'i32'], kind: 'log' },
  { module: LEGACY_MODULE, name: 'metric', params: ['i32', 'i64', 'i32'], kind: 'metric' },

  { module: INSTRUMENT_MODULE, name: 'enter', params: ['i32'], kind: 'function-enter' },
  { module: INSTRUMENT_MODULE, name: 'exit', params: ['i32'], kind: 'function-exit' },
  { module: INSTRUMENT_MODULE, name: 'memory-grow', params: ['i32'], kind: 'memory-grow' },

  { module: LEGACY_MODULE, name: 'instrument_enter', params: ['i32'], kind: 'function-enter' },
  { module: LEGACY_MODULE, name: 'instrument_exit', params: ['i32'], kind: 'function-exit' },
  { module: LEGACY_MODULE, name: 'instrument_memory_grow', params: ['i32'], kind: 'memory-grow' },
];

/** Log levels as the guest sends them. */
export enum LogLevel {
  Error = 1,
  Warn = 2,
  Info = 3,
  Debug = 4,
  Trace = 5,
}

/** OpenTelemetry severity number for each guest level (the first of each OTel range). */
export const SEVERITY_NUMBER: Readonly<Record<LogLevel, number>> = {
  [LogLevel.Error]: 17,
  [LogLevel.Warn]: 13,
  [LogLevel.Info]: 9,
  [LogLevel.Debug]: 5,
  [LogLevel.Trace]: 1,
};

/** Metric payload formats. */
export enum MetricFormat {
  /** statsd / DogStatsD lines, `name:value|type[|@rate][|#k:v,…]`, several separated by `\n`. */
  Statsd = 1,
}

/** statsd metric types the host understands (DogStatsD included). */
export const STATSD_TYPES = ['c', 'g', 'ms', 'h', 'd', 's'] as const;
export type StatsdType = (typeof STATSD_TYPES)[number];

/** Exported globals of modules made by Dylibso's instrumenting compiler. */
export const INSTRUMENT_VERSION_GLOBALS = ['wasm_instr_version_major', 'wasm_instr_version_minor'] as const;

/** Size of one linear-memory page, the unit of `memory-grow`. */
export const WASM_PAGE_BYTES = 65536;

export function importSpec(module: string, name: string): ImportSpec | undefined {
  return IMPORTS.find((i) => i.module === module && i.name === name);
}
