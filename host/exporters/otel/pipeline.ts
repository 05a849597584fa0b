/**
 * Guest telemetry through OpenTelemetry's own export machinery: spans into a BatchSpanProcessor,
 * log records into a BatchLogRecordProcessor, statsd points aggregated by `OtelMetrics` and
 * pushed on an interval. Every OpenTelemetry-based destination (OTLP, Zipkin, an embedding
 * program's exporters) is one of these with different exporters plugged in.
 *
 * The processors drop silently when full and report failures only to a global error handler, so
 * each exporter is wrapped to count what it delivered and what it failed, and a gate in front of
 * each processor keeps (queued + in flight) under the queue size: a full queue drops here, where
 * it is counted, and never inside the processor.
 */
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchLogRecordProcessor, type LogRecordExporter, type ReadableLogRecord, type ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { AnyValue, LogAttributes, LogBody, SeverityNumber } from '@opentelemetry/api-logs';
import type { GuestMetric, TraceSummary } from '../../trace/model.ts';
import type { ExportStats, TelemetryExporter } from '../exporter.ts';
import { errorText } from '../retry.ts';
import { OtelMetrics } from './metrics.ts';

export interface BatchOptions {
  /** Spans (or log records) queued or in flight at most; more are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** Default 512. */
  maxExportBatchSize?: number;
  /** Longest wait before a partial batch is sent. Default 1000 ms. */
  scheduledDelayMillis?: number;
  /** Default 30 000 ms. */
  exportTimeoutMillis?: number;
}

/** The OpenTelemetry SDK's batch defaults. */
export const DEFAULT_BATCH = { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 1000 } as const;

export interface OtelPipelineOptions {
  /** Name in reports (`otlp`, `zipkin`, …). */
  name: string;
  spans?: SpanExporter;
  logs?: LogRecordExporter;
  metrics?: PushMetricExporter;
  batch?: BatchOptions;
  /** How often aggregated metrics are pushed; they are also pushed on forceFlush. Default 60 000 ms. */
  metricIntervalMs?: number;
}

export class OtelPipeline implements TelemetryExporter {
  readonly name: string;
  private readonly counts: ExportStats = { exported: 0, dropped: 0 };
  private readonly spans: Gate<ReadableSpan> | undefined;
  private readonly logs: Gate<ReadWriteLogRecord> | undefined;
  private readonly metricExporter: PushMetricExporter | undefined;
  private readonly metrics = new OtelMetrics();
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private metricPush: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(options: OtelPipelineOptions) {
    this.name = options.name;
    const batch = { ...DEFAULT_BATCH, ...options.batch };
    if (options.spans) {
      const exporter = new Counted(options.spans, this.counts);
      const processor = new BatchSpanProcessor(exporter, batch);
      this.spans = new Gate(processor, exporter, batch.maxQueueSize, this.counts, (span) => processor.onEnd(span));
    }
    if (options.logs) {
      const exporter = new Counted(options.logs, this.counts);
      const processor = new BatchLogRecordProcessor({ exporter, ...batch });
      this.logs = new Gate(processor, exporter, batch.maxQueueSize, this.counts, (record) => processor.onEmit(record));
    }
    this.metricExporter = options.metrics;
    if (this.metricExporter) this.timer = unref(setInterval(() => this.pushMetrics(), options.metricIntervalMs ?? 60_000));
  }

  onSpan(span: ReadableSpan): void {
    if (!this.closed) this.spans?.push(span);
    else if (this.spans) this.counts.dropped++;
  }

  onLog(record: ReadableLogRecord): void {
    if (!this.closed) this.logs?.push(new LogRecordView(record));
    else if (this.logs) this.counts.dropped++;
  }

  onMetric(metric: GuestMetric): void {
    if (!this.closed) this.metricExporter && this.metrics.record(metric);
    else if (this.metricExporter) this.counts.dropped++;
  }

  onTraceEnd(_summary: TraceSummary): void {}

  /** Never rejects: a failed export is already counted as dropped, with its error. */
  async forceFlush(): Promise<void> {
    this.pushMetrics();
    await Promise.all([settle(this.spans?.processor.forceFlush()), settle(this.logs?.processor.forceFlush()), this.metricPush]);
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.forceFlush();
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all([this.spans?.processor.shutdown(), this.logs?.processor.shutdown(), this.metricExporter?.shutdown(), this.metrics.shutdown()].map(settle));
  }

  stats(): ExportStats {
    const stats = { ...this.counts, dropped: this.counts.dropped + this.metrics.dropped };
    if (stats.lastError === undefined && this.metrics.dropReason !== undefined) stats.lastError = this.metrics.dropReason;
    return stats;
  }

  /** Collects and pushes the aggregated metrics, one push after another. */
  private pushMetrics(): void {
    const exporter = this.metricExporter;
    if (!exporter) return;
    this.metricPush = this.metricPush.then(async () => {
      for (const resourceMetrics of await this.metrics.collect()) {
        const points = dataPoints(resourceMetrics);
        const result = await new Promise<ExportResult>((resolve) => exporter.export(resourceMetrics, resolve));
        tally(this.counts, result, points);
      }
    }).catch((err: unknown) => void (this.counts.lastError = errorText(err)));
  }
}

interface Exporter<T> {
  export(items: T[], done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/** An exporter that counts what it delivered and failed, and how many items are still out. */
class Counted<T> implements Exporter<T> {
  outstanding = 0;
  constructor(
    private readonly inner: Exporter<T>,
    private readonly counts: ExportStats,
  ) {}

  export(items: T[], done: (result: ExportResult) => void): void {
    const settle = (result: ExportResult): void => {
      this.outstanding -= items.length;
      tally(this.counts, result, items.length);
      done(result);
    };
    try {
      this.inner.export(items, settle);
    } catch (err) {
      settle({ code: 1, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** Admits items into a processor only while fewer than `limit` are queued or in flight. */
class Gate<T> {
  constructor(
    readonly processor: { forceFlush(): Promise<void>; shutdown(): Promise<void> },
    private readonly exporter: { outstanding: number },
    private readonly limit: number,
    private readonly counts: ExportStats,
    private readonly hand: (item: T) => void,
  ) {}

  push(item: T): void {
    if (this.exporter.outstanding >= this.limit) {
      this.counts.dropped++;
      return;
    }
    this.exporter.outstanding++;
    this.hand(item);
  }
}

/** Node and Deno timers keep the process alive unless unref'd; browsers' and workers' are numbers. */
function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/** The processors reject a flush whose export failed; that failure is already counted. */
function settle(promise: Promise<void> | undefined): Promise<void> {
  return promise === undefined ? Promise.resolve() : promise.catch(() => {});
}

function tally(counts: ExportStats, result: ExportResult, items: number): void {
  if (result.code === 0) {
    counts.exported += items;
    return;
  }
  counts.dropped += items;
  counts.lastError = result.error ? errorText(result.error) : 'export failed';
}

function dataPoints(resourceMetrics: ResourceMetrics): number {
  let n = 0;
  for (const scope of resourceMetrics.scopeMetrics) for (const metric of scope.metrics) n += metric.dataPoints.length;
  return n;
}

/**
 * The builder's records are read-only; the log processor's interface also has setters (for
 * processors that enrich records). This view lets those write to a copy, never to the original.
 */
export class LogRecordView implements ReadWriteLogRecord {
  hrTime;
  hrTimeObserved;
  spanContext;
  readonly resource;
  readonly instrumentationScope;
  readonly attributes: LogAttributes;
  severityText?: string;
  severityNumber?: SeverityNumber;
  body?: LogBody;
  eventName?: string;
  droppedAttributesCount: number;

  constructor(record: ReadableLogRecord) {
    this.hrTime = record.hrTime;
    this.hrTimeObserved = record.hrTimeObserved;
    this.spanContext = record.spanContext;
    this.resource = record.resource;
    this.instrumentationScope = record.instrumentationScope;
    this.attributes = { ...record.attributes };
    this.severityText = record.severityText;
    this.severityNumber = record.severityNumber;
    this.body = record.body;
    this.eventName = record.eventName;
    this.droppedAttributesCount = record.droppedAttributesCount;
  }

  setAttribute(key: string, value?: AnyValue): this {
    if (value !== undefined) this.attributes[key] = value;
    return this;
  }
  setAttributes(attributes: LogAttributes): this {
    Object.assign(this.attributes, attributes);
    return this;
  }
  setBody(body: LogBody): this {
    this.body = body;
    return this;
  }
  setEventName(eventName: string): this {
    this.eventName = eventName;
    return this;
  }
  setSeverityNumber(severityNumber: SeverityNumber): this {
    this.severityNumber = severityNumber;
    return this;
  }
  setSeverityText(severityText: string): this {
    this.severityText = severityText;
    return this;
  }
}
