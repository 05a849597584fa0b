/**
 * Names the host writes into telemetry: attribute keys, span event names, the version it reports.
 * Everything that reads or writes one of them (the trace builder, every exporter) takes it from
 * here; OpenTelemetry's own keys come from its semantic conventions package.
 */
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_SERVICE_NAME,
  ATTR_TELEMETRY_SDK_LANGUAGE,
  ATTR_TELEMETRY_SDK_NAME,
  ATTR_TELEMETRY_SDK_VERSION,
} from '@opentelemetry/semantic-conventions';

/** The host's version, as `telemetry.sdk.version` and in tracer headers. */
export const VERSION = '0.1.0';

/** Attribute keys the builder writes. */
export const ATTR = {
  /** OpenTelemetry's resource attributes: the service, and the SDK that made the telemetry. */
  serviceName: ATTR_SERVICE_NAME,
  sdkName: ATTR_TELEMETRY_SDK_NAME,
  sdkLanguage: ATTR_TELEMETRY_SDK_LANGUAGE,
  sdkVersion: ATTR_TELEMETRY_SDK_VERSION,
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
  errorType: ATTR_ERROR_TYPE,
  errorMessage: 'error.message',
  /** Datadog's way to fail a span: the tag `error:true`. */
  error: 'error',
  /** Where Datadog looks for a failed span's stack. */
  errorStack: 'error.stack',
  /** OpenTelemetry's exception event attributes. */
  exceptionType: ATTR_EXCEPTION_TYPE,
  exceptionMessage: ATTR_EXCEPTION_MESSAGE,
  exceptionStacktrace: ATTR_EXCEPTION_STACKTRACE,
  /** The guest's statsd point on its span's `metric` event. */
  metricName: 'metric.name',
  metricType: 'metric.type',
  metricValue: 'metric.value',
  /** HTTP fields of Datadog's per-trace metadata, under the keys its web views read. */
  httpUrl: 'http.url',
  httpMethod: 'http.method',
  httpStatusCode: 'http.status_code',
  httpClientIp: 'http.client_ip',
  httpRequestContentLength: 'http.request.content_length',
  httpResponseContentLength: 'http.response.content_length',
  spanKind: 'span.kind',
} as const;

/** Ids where a destination has no field for them: statsd tags, Chrome trace event arguments. */
export const ID_KEY = {
  traceId: 'trace_id',
  spanId: 'span_id',
  parentSpanId: 'parent_span_id',
} as const;

/** Keys only Datadog reads: its trace intake's tags and metrics, its log correlation fields. */
export const DATADOG = {
  /** The high half of a 128-bit trace id. */
  traceIdHigh: '_dd.p.tid',
  samplingPriority: '_sampling_priority_v1',
  topLevel: '_dd.top_level',
  logTraceId: 'dd.trace_id',
  logSpanId: 'dd.span_id',
  logService: 'dd.service',
  logEnv: 'dd.env',
  logVersion: 'dd.version',
  /** The full OpenTelemetry trace id on a log, for backends that join on it. */
  logOtelTraceId: 'otel.trace_id',
} as const;

/** Span event names. */
export const EVENT = {
  metric: 'metric',
  exception: 'exception',
} as const;
