/**
 * `otlp`: spans, log records and metrics to any OTLP endpoint with the official OpenTelemetry
 * exporters — HTTP/protobuf (the default), HTTP/JSON or gRPC per signal — configured by options
 * or the standard `OTEL_EXPORTER_OTLP_*` variables. Batching, bounded queues and drop counts come
 * from the delivery layer (`OtelPipeline`); retry with backoff (429, 502–504, network errors)
 * from the exporters.
 *
 * ```ts
 * new Observer({ exporters: [new OtlpExporter({ endpoint: 'http://collector:4318' })] })
 * ```
 */
import type { ExportResult } from '@opentelemetry/core';
import type { OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { OTLPTraceExporter as ProtoTraces } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonTraces } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPLogExporter as ProtoLogs } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonLogs } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter as ProtoMetrics } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as JsonMetrics } from '@opentelemetry/exporter-metrics-otlp-http';
import { OtelPipeline, type BatchOptions } from './otel/pipeline.ts';
import { resolveOtlp, type OtlpOptions, type OtlpSignalConfig } from './otel/config.ts';

export interface OtlpExporterOptions extends OtlpOptions {
  batch?: BatchOptions;
  /** Default: OTEL_METRIC_EXPORT_INTERVAL, else 60 000 ms. */
  metricIntervalMs?: number;
  /** Where to read the standard variables. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

export class OtlpExporter extends OtelPipeline {
  /** What each signal is sent to (undefined: not sent). */
  readonly config: ReturnType<typeof resolveOtlp>;

  constructor(options: OtlpExporterOptions = {}) {
    const env = options.env ?? process.env;
    const config = resolveOtlp(options, env);
    const { traces, logs, metrics } = config;
    const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL);
    super({
      name: 'otlp',
      spans: traces && traceExporter(traces),
      logs: logs && logExporter(logs),
      metrics: metrics && metricExporter(metrics),
      batch: options.batch,
      metricIntervalMs: options.metricIntervalMs ?? (interval > 0 ? interval : undefined),
    });
    this.config = config;
  }
}

function httpOptions(config: OtlpSignalConfig): OTLPExporterNodeConfigBase {
  // The exporters' CompressionAlgorithm enum has exactly these string values.
  const compression = config.compression as OTLPExporterNodeConfigBase['compression'];
  return { url: config.url, headers: config.headers, timeoutMillis: config.timeoutMillis, compression };
}

function traceExporter(config: OtlpSignalConfig): SpanExporter {
  if (config.protocol === 'grpc') return lazyGrpc(config, async (o) => new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter(o));
  return config.protocol === 'http/json' ? new JsonTraces(httpOptions(config)) : new ProtoTraces(httpOptions(config));
}

function logExporter(config: OtlpSignalConfig): LogRecordExporter {
  if (config.protocol === 'grpc') return lazyGrpc(config, async (o) => new (await import('@opentelemetry/exporter-logs-otlp-grpc')).OTLPLogExporter(o));
  return config.protocol === 'http/json' ? new JsonLogs(httpOptions(config)) : new ProtoLogs(httpOptions(config));
}

function metricExporter(config: OtlpSignalConfig): PushMetricExporter {
  if (config.protocol === 'grpc') {
    return lazyGrpc(config, async (o) => new (await import('@opentelemetry/exporter-metrics-otlp-grpc')).OTLPMetricExporter(o));
  }
  return config.protocol === 'http/json' ? new JsonMetrics(httpOptions(config)) : new ProtoMetrics(httpOptions(config));
}

interface AnyExporter<T> {
  export(items: T, done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush(): Promise<void>;
}

type GrpcOptions = {
  url: string;
  metadata: import('@grpc/grpc-js').Metadata;
  timeoutMillis: number;
  compression: OTLPExporterNodeConfigBase['compression'];
};

/**
 * gRPC exporters load @grpc/grpc-js (slow to import) only when a gRPC destination is chosen: the
 * exporter is created on first use, and the calls made meanwhile wait for it.
 */
function lazyGrpc<T>(config: OtlpSignalConfig, create: (options: GrpcOptions) => Promise<AnyExporter<T>>): AnyExporter<T> {
  let exporter: Promise<AnyExporter<T>> | undefined;
  const get = (): Promise<AnyExporter<T>> =>
    (exporter ??= import('@grpc/grpc-js').then(({ Metadata }) => {
      const metadata = new Metadata();
      for (const [key, value] of Object.entries(config.headers)) metadata.set(key, value);
      const compression = config.compression as OTLPExporterNodeConfigBase['compression'];
      return create({ url: config.url, metadata, timeoutMillis: config.timeoutMillis, compression });
    }));
  return {
    export(items, done) {
      get().then(
        (e) => e.export(items, done),
        (error: Error) => done({ code: 1, error }),
      );
    },
    shutdown: () => (exporter ? get().then((e) => e.shutdown()) : Promise.resolve()),
    forceFlush: () => (exporter ? get().then((e) => e.forceFlush()) : Promise.resolve()),
  };
}
