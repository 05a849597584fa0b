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
      spans: spans.length === 0 ? undefined : { send: (items: ReadableSpan[]) => items.forEach((span) => spans.forEach((p) => p.onEnd(span))), batch },
      logs: logs.length === 0 ? undefined : { send: (items: ReadableLogRecord[]) => items.forEach((r) => logs.forEach((p) => p.onEmit(writableCopy(r)))), batch },
      metrics: metrics && { send: (items: GuestMetric[]) => items.forEach((m) => metrics.record(m)), batch },
      // Flushed, never shut down: the processors and provider belong to the program.
      flush: () => Promise.all(processors.map((p) => p.forceFlush().catch(() => {}))).then(() => {}),
    });
  }
}

/**
 * The builder's records are read-only; the log processor's interface also has setters (for
 * processors that enrich records). Each processor call gets a copy to write to, never the original.
 */
function writableCopy(record: ReadableLogRecord): ReadWriteLogRecord {
  const { hrTime, hrTimeObserved, spanContext, resource, instrumentationScope, severityText, severityNumber, body, eventName, droppedAttributesCount } = record;
  const attributes = { ...record.attributes };
  const set = (fields: Partial<ReadWriteLogRecord>) => Object.assign(copy, fields);
  const copy: ReadWriteLogRecord = {
    hrTime, hrTimeObserved, spanContext, resource, instrumentationScope, attributes, severityText, severityNumber, body, eventName, droppedAttributesCount,
    setAttribute: (key, value) => (value === undefined ? copy : copy.setAttributes({ [key]: value })),
    setAttributes: (more) => {
      Object.assign(attributes, more);
      return copy;
    },
    setBody: (body) => set({ body }),
    setEventName: (eventName) => set({ eventName }),
    setSeverityNumber: (severityNumber) => set({ severityNumber }),
    setSeverityText: (severityText) => set({ severityText }),
  };
  return copy;
}
