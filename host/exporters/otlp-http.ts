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
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { OtelPipeline, type BatchOptions } from './otel/pipeline.ts';

export type OtlpHttpSignal = 'traces' | 'logs' | 'metrics';

export interface OtlpHttpExporterOptions {
  /** Base endpoint; `/v1/<signal>` is appended. Default `http://localhost:4318`. */
  endpoint?: string;
  /** Full per-signal URLs, used as given. */
  endpoints?: Partial<Record<OtlpHttpSignal, string>>;
  /** `http/json` (the default: what collectors accept from pages) or `http/protobuf`. */
  protocol?: 'http/json' | 'http/protobuf';
  /** Sent with every request (an API key, for example). */
  headers?: Record<string, string>;
  /** Per request. Default 10 000 ms. */
  timeoutMillis?: number;
  /** Signals to send. Default all three. */
  signals?: OtlpHttpSignal[];
  batch?: BatchOptions;
  /** How often aggregated metrics are pushed; they are also pushed on forceFlush. Default 60 000 ms. */
  metricIntervalMs?: number;
}

const PATHS: Record<OtlpHttpSignal, string> = { traces: 'v1/traces', logs: 'v1/logs', metrics: 'v1/metrics' };

export class OtlpHttpExporter extends OtelPipeline {
  /** The URL each signal is sent to (absent: not sent). */
  readonly urls: Partial<Record<OtlpHttpSignal, string>>;

  constructor(options: OtlpHttpExporterOptions = {}) {
    const signals = new Set<OtlpHttpSignal>(options.signals ?? ['traces', 'logs', 'metrics']);
    const base = (options.endpoint ?? 'http://localhost:4318').replace(/\/+$/, '');
    const urls: Partial<Record<OtlpHttpSignal, string>> = {};
    for (const signal of signals) urls[signal] = options.endpoints?.[signal] ?? `${base}/${PATHS[signal]}`;
    const json = (options.protocol ?? 'http/json') === 'http/json';
    const make = <T>(signal: OtlpHttpSignal, serializer: ISerializer<T, unknown>, helper: IExporterMetricsHelper<T>, component: string) => {
      const url = urls[signal];
      if (url === undefined) return undefined;
      const config = { url, headers: options.headers, timeoutMillis: options.timeoutMillis ?? 10_000 };
      const contentType = json ? 'application/json' : 'application/x-protobuf';
      return new OTLPExporterBase(createLegacyOtlpBrowserExportDelegate(config, serializer, component, helper, undefined, PATHS[signal], { 'Content-Type': contentType }));
    };
    const spans = make<ReadableSpan[]>('traces', json ? JsonTraceSerializer : ProtobufTraceSerializer, TraceExporterMetricsHelper, 'otlp_http_span_exporter');
    const logs = make<ReadableLogRecord[]>('logs', json ? JsonLogsSerializer : ProtobufLogsSerializer, LogsExporterMetricsHelper, 'otlp_http_log_exporter');
    const metrics = make<ResourceMetrics>('metrics', json ? JsonMetricsSerializer : ProtobufMetricsSerializer, MetricsExporterMetricsHelper, 'otlp_http_metric_exporter');
    super({ name: 'otlp-http', spans, logs, metrics, batch: options.batch, metricIntervalMs: options.metricIntervalMs });
    this.urls = urls;
  }
}
