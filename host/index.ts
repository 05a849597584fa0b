/**
 * wasm-observe host: the public API. Everything exported here runs wherever WebAssembly does —
 * browsers, Cloudflare Workers, Deno, Bun and Node (tests run it in each); Node-only pieces (the
 * `node:wasi` runner, file, UDP and gRPC exporters, the demangler loader) are in `wasm-observe/node`.
 */
export { Observer, DEFAULT_SERVICE_NAME, VERSION, type ObserverOptions } from './observer.ts';
export * from './abi/spec.ts';
export type { GuestEvent, AnomalyKind, EventSink } from './events.ts';
export type { ClockMode } from './abi/imports.ts';
export type { GuestMetric, TraceSummary, TelemetrySink } from './trace/model.ts';
export type { StatsdPoint } from './trace/statsd.ts';
export { parseStatsd } from './trace/statsd.ts';
export { parseTags } from './trace/tags.ts';
export { ATTR, EVENT, DATADOG, ID_KEY } from './trace/vocabulary.ts';
export { WriteError, WRITE_ERROR_EXIT_CODE, type TelemetryExporter, type ExportStats } from './exporters/exporter.ts';
export { TextTreeExporter, type TextTreeOptions } from './exporters/text-tree.ts';
export { OtlpHttpExporter, type OtlpHttpExporterOptions, type OtlpHttpSignal } from './exporters/otlp-http.ts';
export { OtelSdkExporter, type OtelSdkOptions } from './exporters/otel-sdk.ts';
export { OtelPipeline, type OtelPipelineOptions } from './exporters/otel/pipeline.ts';
export { Delivery, type Destination, type Route, type TraceRoute, type AggregateRoute, type Aggregator, Tally, type TraceBatch, type BatchOptions } from './exporters/delivery.ts';
export { DeliveryError, type RetryPolicy } from './exporters/retry.ts';
export { parseTraceparent, activeSpanContext } from './trace/parent.ts';
export { runWasiModule, type WasiImplementation, type WasiRunOptions, type RunResult } from './wasi.ts';
export { demultiplexFdWrite, observeApi, type FdWrite, type ObserveApi } from './javy/records.ts';
export { instantiateWithPlugin, pluginNamespace, dynamicJavyNamespace, type RunnableInstance } from './javy/plugin.ts';
