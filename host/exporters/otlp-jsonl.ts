/**
 * `otlp-jsonl`: the OpenTelemetry Collector's file format. Each line is one OTLP/JSON
 * `ExportTraceServiceRequest`, `ExportLogsServiceRequest` or `ExportMetricsServiceRequest`,
 * serialized by the official `@opentelemetry/otlp-transformer`. Lines are written when a trace
 * ends and whenever a batch fills, synchronously (see {@link LineWriter}), so a long invocation
 * never holds more than one batch and the file is valid line by line at every moment. After a
 * write error the rest is dropped and counted, and the error is in `stats().writeError`.
 */
import { JsonLogsSerializer, JsonMetricsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { GuestMetric, TraceSummary } from '../trace/model.ts';
import { WriteError, type ExportStats, type TelemetryExporter } from './exporter.ts';
import { LineWriter } from './line-writer.ts';
import { OtelMetrics } from './otel/metrics.ts';

export interface OtlpJsonlOptions {
  /** File to append to; `-` for standard output. */
  path: string;
  /** Spans or log records per line. Default 512. */
  batchSize?: number;
}

const NEWLINE = Buffer.from('\n');

export class OtlpJsonlExporter implements TelemetryExporter {
  readonly name = 'otlp-jsonl';
  private readonly out: LineWriter;
  private readonly batchSize: number;
  private spans: ReadableSpan[] = [];
  private logs: ReadableLogRecord[] = [];
  private readonly metrics = new OtelMetrics();
  private readonly counts: ExportStats = { exported: 0, dropped: 0 };
  private closed = false;

  constructor(options: OtlpJsonlOptions) {
    this.out = new LineWriter(options.path);
    this.batchSize = options.batchSize ?? 512;
  }

  onSpan(span: ReadableSpan): void {
    if (this.refuse()) return;
    this.spans.push(span);
    if (this.spans.length >= this.batchSize) this.writeSpans();
  }

  onLog(record: ReadableLogRecord): void {
    if (this.refuse()) return;
    this.logs.push(record);
    if (this.logs.length >= this.batchSize) this.writeLogs();
  }

  onMetric(metric: GuestMetric): void {
    if (this.refuse()) return;
    this.metrics.record(metric);
  }

  onTraceEnd(_summary: TraceSummary): void {
    this.writeSpans();
    this.writeLogs();
  }

  async forceFlush(): Promise<void> {
    this.writeSpans();
    this.writeLogs();
    for (const resourceMetrics of await this.metrics.collect()) {
      this.line(JsonMetricsSerializer.serializeRequest(resourceMetrics), 1);
    }
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.forceFlush();
    this.closed = true;
    await this.metrics.shutdown();
    this.out.close();
    if (this.out.error !== undefined) throw new WriteError(`otlp-jsonl: cannot write ${this.out.error}`);
  }

  stats(): ExportStats {
    const stats: ExportStats = { ...this.counts, dropped: this.counts.dropped + this.metrics.dropped };
    if (this.metrics.dropReason !== undefined) stats.lastError ??= this.metrics.dropReason;
    if (this.out.error !== undefined) stats.writeError = this.out.error;
    return stats;
  }

  private refuse(): boolean {
    if (this.closed) this.counts.dropped++;
    return this.closed;
  }

  private writeSpans(): void {
    if (this.spans.length === 0) return;
    const batch = this.spans;
    this.spans = [];
    this.line(JsonTraceSerializer.serializeRequest(batch), batch.length);
  }

  private writeLogs(): void {
    if (this.logs.length === 0) return;
    const batch = this.logs;
    this.logs = [];
    this.line(JsonLogsSerializer.serializeRequest(batch), batch.length);
  }

  private line(bytes: Uint8Array | undefined, items: number): void {
    if (bytes === undefined) {
      this.counts.dropped += items;
      return;
    }
    if (this.out.write(Buffer.concat([bytes, NEWLINE]))) this.counts.exported += items;
    else this.counts.dropped += items;
  }
}
