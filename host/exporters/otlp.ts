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
import { OTLPTraceExporter as ProtoTraces } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonTraces } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPLogExporter as ProtoLogs } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonLogs } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter as ProtoMetrics } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as JsonMetrics } from '@opentelemetry/exporter-metrics-otlp-http';
import type { OTLPTraceExporter as GrpcTraces } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OtelPipeline } from './otel/pipeline.ts';
import { resolveOtlp, type OtlpOptions, type OtlpSignalConfig } from './otel/config.ts';

export interface OtlpExporterOptions extends OtlpOptions {
  /**
   * Where to read the standard variables, for what the options leave unset: OTEL_EXPORTER_OTLP_[<SIGNAL>_]ENDPOINT,
   * _PROTOCOL, _HEADERS, _TIMEOUT and _COMPRESSION, OTEL_<SIGNAL>_EXPORTER and OTEL_METRIC_EXPORT_INTERVAL. Default `process.env`.
   */
  env?: Record<string, string | undefined>;
}

export class OtlpExporter extends OtelPipeline {
  /** What each signal is sent to (undefined: not sent). */
  readonly config: ReturnType<typeof resolveOtlp>;

  constructor(options: OtlpExporterOptions = {}) {
    const env = options.env ?? process.env;
    const config = resolveOtlp(options, env);
    const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL);
    super({
      name: 'otlp',
      spans: exporter(config.traces, JsonTraces, ProtoTraces, async () => (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter),
      logs: exporter(config.logs, JsonLogs, ProtoLogs, async () => (await import('@opentelemetry/exporter-logs-otlp-grpc')).OTLPLogExporter),
      metrics: exporter(config.metrics, JsonMetrics, ProtoMetrics, async () => (await import('@opentelemetry/exporter-metrics-otlp-grpc')).OTLPMetricExporter),
      batch: options.batch,
      metricIntervalMs: options.metricIntervalMs ?? (interval > 0 ? interval : undefined),
    });
    this.config = config;
  }
}

interface Exporter<T> {
  export(items: T, done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush(): Promise<void>;
}

type HttpExporter<T> = new (options: OTLPExporterNodeConfigBase) => Exporter<T>;
type GrpcExporter<T> = new (options: NonNullable<ConstructorParameters<typeof GrpcTraces>[0]>) => Exporter<T>;

/** A signal's exporter for the protocol its config names; the gRPC one's module is imported only then. */
function exporter<T>(config: OtlpSignalConfig | undefined, json: HttpExporter<T>, protobuf: HttpExporter<T>, grpc: () => Promise<GrpcExporter<T>>) {
  if (config === undefined) return undefined;
  const { protocol, url, headers, timeoutMillis } = config;
  // The exporters' CompressionAlgorithm enum has exactly these string values.
  const compression = config.compression as OTLPExporterNodeConfigBase['compression'];
  if (protocol !== 'grpc') return new (protocol === 'http/json' ? json : protobuf)({ url, headers, timeoutMillis, compression });
  return lazy(async () => {
    const [{ Metadata }, Grpc] = await Promise.all([import('@grpc/grpc-js'), grpc()]);
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
    return new Grpc({ url, metadata, timeoutMillis, compression });
  });
}

/**
 * gRPC exporters load @grpc/grpc-js (slow to import) only when a gRPC destination is chosen: the
 * exporter is created on first use, and the calls made meanwhile wait for it.
 */
function lazy<T>(create: () => Promise<Exporter<T>>): Exporter<T> {
  let exporter: Promise<Exporter<T>> | undefined;
  return {
    export(items, done) {
      (exporter ??= create()).then(
        (made) => made.export(items, done),
        (error: Error) => done({ code: 1, error }),
      );
    },
    shutdown: async () => (await exporter)?.shutdown(),
    forceFlush: async () => (await exporter)?.forceFlush(),
  };
}
