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
export type { TelemetryExporter, ExportStats } from './exporters/exporter.ts';
export { demultiplexFdWrite, observeApi, type FdWrite, type ObserveApi } from './javy/records.ts';
export { instantiateWithPlugin, pluginNamespace, dynamicJavyNamespace, type RunnableInstance } from './javy/plugin.ts';
