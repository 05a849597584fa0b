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
import type { LogRecordProcessor, ReadableLogRecord, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { AnyValue, LogAttributes, LogBody, SeverityNumber } from '@opentelemetry/api-logs';
import type { GuestMetric } from '../trace/model.ts';
import { Delivery, IN_PLACE, Tally } from './delivery.ts';
import { OtelMetrics } from './otel/metrics.ts';

export interface OtelSdkOptions {
  spanProcessors?: SpanProcessor[];
  logProcessors?: LogRecordProcessor[];
  meterProvider?: MeterProvider;
}

export class OtelSdkExporter extends Delivery {
  constructor(options: OtelSdkOptions) {
    const spans = options.spanProcessors ?? [];
    const logs = options.logProcessors ?? [];
    const tally = new Tally();
    const metrics = options.meterProvider && new OtelMetrics(tally, options.meterProvider);
    // Handed over as each item arrives: the program's processors do their own batching.
    const batch = IN_PLACE;
    const processors = [...spans, ...logs];
    super({
      name: 'otel-sdk',
      tally,
      spans: spans.length === 0 ? undefined : { send: (batch: ReadableSpan[]) => batch.forEach((span) => spans.forEach((p) => p.onEnd(span))), batch },
      logs: logs.length === 0 ? undefined : { send: (batch: ReadableLogRecord[]) => batch.forEach((r) => logs.forEach((p) => p.onEmit(new LogRecordView(r)))), batch },
      metrics: metrics && { send: (batch: GuestMetric[]) => batch.forEach((m) => metrics.record(m)), batch },
      // Flushed, never shut down: the processors and provider belong to the program.
      flush: () => Promise.all(processors.map((p) => p.forceFlush().catch(() => {}))).then(() => {}),
    });
  }
}

/**
 * The builder's records are read-only; the log processor's interface also has setters (for
 * processors that enrich records). This view lets those write to a copy, never to the original.
 */
class LogRecordView implements ReadWriteLogRecord {
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
