/**
 * Names the host writes into telemetry: attribute keys and span event names. Everything that
 * reads or writes one of them (the trace builder, every exporter) takes it from here.
 */

/** Attribute keys the builder writes. */
export const ATTR = {
  /** Memory growth during the span, in 64 KiB pages: the unit of Dylibso's hosts. */
  allocation: 'allocation',
  /** The same growth in bytes. */
  allocationBytes: 'allocation.bytes',
  functionIndex: 'code.function.index',
  /** The span was still open when its function returned or the invocation ended. */
  unclosed: 'wasm_observe.unclosed',
  anomaly: 'wasm_observe.anomaly',
  anomalyCount: 'wasm_observe.anomalies',
  unparsed: 'wasm_observe.metric.unparsed',
  metricFormat: 'wasm_observe.metric.format',
  /** OpenTelemetry's key for the kind of failure; a guest tag with it fails the span. */
  errorType: 'error.type',
  errorMessage: 'error.message',
  /** Datadog's way to fail a span: the tag `error:true`. */
  error: 'error',
} as const;

/** Span event names. */
export const EVENT = {
  metric: 'metric',
  exception: 'exception',
} as const;
