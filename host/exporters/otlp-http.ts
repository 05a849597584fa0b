/**
 * `OtlpHttpExporter`: spans, log records and metrics to an OTLP/HTTP endpoint with `fetch`, in any
 * runtime (browsers, workers, Deno, Bun, Node). It is the official OpenTelemetry exporters'
 * browser build — their fetch export delegate and serializers — behind the delivery layer
 * (`OtelPipeline`) for batching, bounded queues, drop counts and flush on shutdown; retry with backoff (429, 502–504,
 * network errors) comes from the delegate. Options are given in code: no environment is read.
 *
 * ```ts
 * new Observer({ exporters: [new OtlpHttpExporter({ endpoint: 'https://collector.example:4318' })] })
 * ```
 *
 * From a page, the collector must answer CORS preflights for the page's origin. In Node,
 * `OtlpExporter` from `wasm-observe/node` adds gRPC and the `OTEL_EXPORTER_OTLP_*` variables.
 */
import type { IExporterMetricsHelper, ISerializer } from '@opentelemetry/otlp-transformer';
import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  JsonTraceSerializer,
  LogsExporterMetricsHelper,
  MetricsExporterMetricsHelper,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
} from '@opentelemetry/otlp-transformer';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { createLegacyOtlpBrowserExportDelegate } from '@opentelemetry/otlp-exporter-base/browser-http';
import { OtelPipeline } from './otel/pipeline.ts';
import { resolveOtlp, SIGNALS, type OtlpOptions, type Signal } from './otel/config.ts';

export type OtlpHttpSignal = Signal;

export interface OtlpHttpExporterOptions extends Omit<OtlpOptions, 'protocol' | 'preset'> {
  /** `http/json` (the default: what collectors accept from pages) or `http/protobuf`. */
  protocol?: 'http/json' | 'http/protobuf';
}

export class OtlpHttpExporter extends OtelPipeline {
  /** The URL each signal is sent to (absent: not sent). */
  readonly urls: Partial<Record<OtlpHttpSignal, string>> = {};

  constructor(options: OtlpHttpExporterOptions = {}) {
    // Resolved as `OtlpExporter` resolves its options, from an empty environment.
    const protocol = options.protocol ?? 'http/json';
    const config = resolveOtlp({ ...options, protocol }, {});
    const json = protocol === 'http/json';
    const make = <T>(signal: OtlpHttpSignal, serializer: ISerializer<T, unknown>, helper: IExporterMetricsHelper<T>, component: string) => {
      if (config[signal] === undefined) return undefined;
      const { url, headers, timeoutMillis } = config[signal];
      const contentType = { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' };
      const delegate = createLegacyOtlpBrowserExportDelegate({ url, headers, timeoutMillis }, serializer, component, helper, undefined, `v1/${signal}`, contentType);
      return new OTLPExporterBase(delegate);
    };
    const spans = make('traces', json ? JsonTraceSerializer : ProtobufTraceSerializer, TraceExporterMetricsHelper, 'otlp_http_span_exporter');
    const logs = make('logs', json ? JsonLogsSerializer : ProtobufLogsSerializer, LogsExporterMetricsHelper, 'otlp_http_log_exporter');
    const metrics = make('metrics', json ? JsonMetricsSerializer : ProtobufMetricsSerializer, MetricsExporterMetricsHelper, 'otlp_http_metric_exporter');
    super({ name: 'otlp-http', spans, logs, metrics, batch: options.batch, metricIntervalMs: options.metricIntervalMs });
    for (const signal of SIGNALS) if (config[signal]) this.urls[signal] = config[signal].url;
  }
}
