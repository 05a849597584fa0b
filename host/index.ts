/**
 * wasm-observe host: the public API. Everything exported here runs wherever WebAssembly does;
 * Node-only pieces (WASI runner, file and network exporters, the demangler loader) are in
 * `wasm-observe/node`.
 */
export { Observer, DEFAULT_SERVICE_NAME, VERSION, type ObserverOptions } from './observer.ts';
export * from './abi/spec.ts';
export type { GuestEvent, AnomalyKind, EventSink } from './events.ts';
export type { GuestMetric, TraceSummary, TelemetrySink } from './trace/model.ts';
export type { StatsdPoint } from './trace/statsd.ts';
export { parseStatsd } from './trace/statsd.ts';
export { parseTags } from './trace/tags.ts';
export { ATTR } from './trace/builder.ts';
export { WriteError, WRITE_ERROR_EXIT_CODE, type TelemetryExporter, type ExportStats } from './exporters/exporter.ts';
