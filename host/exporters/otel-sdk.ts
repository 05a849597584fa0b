/**
 * `OtelSdkExporter`: guest telemetry into an embedding program's own OpenTelemetry setup — its
 * span processors, log record processors and meter provider — so guest spans, logs and metrics
 * leave through the same pipelines, exporters and resource-independent settings as the
 * program's own. Guest spans keep the guest's resource; metrics are recorded under the
 * program's meter provider (and its resource), converted from statsd by `OtelMetrics`.
 *
 * ```ts
 * const processor = new BatchSpanProcessor(new OTLPTraceExporter());
 * const provider = new BasicTracerProvider({ spanProcessors: [processor] });
 * new Observer({ exporters: [new OtelSdkExporter({ spanProcessors: [processor], meterProvider })] });
 * ```
 */
import type { MeterProvider } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { LogRecordProcessor, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { GuestMetric, TraceSummary } from '../trace/model.ts';
import type { ExportStats, TelemetryExporter } from './exporter.ts';
import { OtelMetrics } from './otel/metrics.ts';
import { LogRecordView } from './otel/pipeline.ts';

export interface OtelSdkOptions {
  spanProcessors?: SpanProcessor[];
  logProcessors?: LogRecordProcessor[];
  meterProvider?: MeterProvider;
}

export class OtelSdkExporter implements TelemetryExporter {
  readonly name = 'otel-sdk';
  private readonly spans: SpanProcessor[];
  private readonly logs: LogRecordProcessor[];
  private readonly metrics: OtelMetrics | undefined;
  /** Items handed over; delivery and drops are the program's processors' business. */
  private readonly counts: ExportStats = { exported: 0, dropped: 0 };

  constructor(options: OtelSdkOptions) {
    this.spans = options.spanProcessors ?? [];
    this.logs = options.logProcessors ?? [];
    this.metrics = options.meterProvider && new OtelMetrics('wasm-observe', options.meterProvider);
  }

  onSpan(span: ReadableSpan): void {
    for (const processor of this.spans) processor.onEnd(span);
    if (this.spans.length > 0) this.counts.exported++;
  }

  onLog(record: ReadableLogRecord): void {
    for (const processor of this.logs) processor.onEmit(new LogRecordView(record));
    if (this.logs.length > 0) this.counts.exported++;
  }

  onMetric(metric: GuestMetric): void {
    if (!this.metrics) return;
    this.metrics.record(metric);
    this.counts.exported++;
  }

  onTraceEnd(_summary: TraceSummary): void {}

  /** Flushes the program's processors: they may hold its own telemetry too. */
  async forceFlush(): Promise<void> {
    await Promise.all([...this.spans, ...this.logs].map((p) => p.forceFlush().catch(() => {})));
  }

  /** Flushes only: the processors and provider belong to the program, which shuts them down. */
  async shutdown(): Promise<void> {
    await this.forceFlush();
  }

  stats(): ExportStats {
    const dropped = this.metrics?.dropped ?? 0;
    if (dropped === 0) return { ...this.counts };
    return { ...this.counts, dropped: this.counts.dropped + dropped, lastError: this.counts.lastError ?? this.metrics!.dropReason };
  }
}
