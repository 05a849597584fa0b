/**
 * What needs Node (or a runtime with its built-ins): the `node:wasi` runner, file, UDP and gRPC
 * exporters, exporters configured from `process.env`, the demangler. Everything else is in
 * `wasm-observe`.
 */
export { runWasi, loadModule, type RunOptions, type RunResult } from './wasi.ts';
export { loadDemangler } from './demangle.ts';
export { loadWasm, watToWasm } from './load.ts';
export { StdoutExporter, type StdoutOptions } from '../exporters/stdout.ts';
export { OtlpJsonlExporter, type OtlpJsonlOptions } from '../exporters/otlp-jsonl.ts';
export { createExporters, defaultExporters, EXPORTERS, type ExporterDeclaration, type Flag, type FlagValues } from '../exporters/catalog.ts';
export { PerfettoExporter, type PerfettoOptions, type TraceEvent } from '../exporters/perfetto.ts';
export { OtlpExporter, type OtlpExporterOptions } from '../exporters/otlp.ts';
export { resolveOtlp, resourceAttributesFromEnv, type OtlpOptions, type OtlpProtocol, type PresetName } from '../exporters/otel/config.ts';
export { DatadogExporter, DEFAULT_DATADOG_SERVICE, type DatadogOptions, type DatadogMetadata, type DatadogTraceType } from '../exporters/datadog.ts';
export { ZipkinExporter, DEFAULT_ZIPKIN_URL, type ZipkinOptions } from '../exporters/zipkin.ts';
export { StatsdExporter, DEFAULT_STATSD_URL, type StatsdOptions, type StatsdDialect } from '../exporters/statsd.ts';
export { instrumentModule, instrument, InstrumentError, INSTRUMENT_VERSION, type InstrumentOptions, type InstrumentResult } from '../tools/instrument.ts';
export { SMALL_LEAF, INSTRUMENT_SECTION, type InstrumentRecord } from '../tools/instrument-record.ts';
export { inspectModule, type Inspection, type ObserveImport } from '../tools/inspect.ts';
export { linkJavy, JavyLinkError, type JavyLinkFailure } from '../javy/link.ts';
