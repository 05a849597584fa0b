/**
 * `zipkin`: spans to a Zipkin v2 collector (`/api/v2/spans`) with the official OpenTelemetry
 * Zipkin exporter, held per trace, batched and retried with backoff by the delivery layer (the
 * official exporter does not retry). Zipkin has no logs or metrics, so each log record becomes an annotation on
 * its span (`WARN template cache miss`), as the guest's metrics already are (`metric
 * requests c 1`): nothing the guest sent is lost on the way. Logs whose span Zipkin never sees
 * (sent with no span open) are counted as dropped.
 */
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { ZipkinExporter as OfficialZipkin } from '@opentelemetry/exporter-zipkin';
import { EVENT } from '../trace/vocabulary.ts';
import { Delivery, Tally, type BatchOptions, type TraceBatch } from './delivery.ts';
import { logLine } from './conversions.ts';
import { exportVia } from './otel/pipeline.ts';
import type { RetryPolicy } from './retry.ts';

export const DEFAULT_ZIPKIN_URL = 'http://localhost:9411/api/v2/spans';

export interface ZipkinOptions {
  /** Default: OTEL_EXPORTER_ZIPKIN_ENDPOINT, else http://localhost:9411/api/v2/spans. */
  url?: string;
  headers?: Record<string, string>;
  /** Default: the resource's `service.name`. */
  serviceName?: string;
  batch?: BatchOptions;
  retry?: RetryPolicy;
  /** Spans and log records held per trace; past it, what is held is sent as a part. Default 2000. */
  maxHeldItems?: number;
  env?: Record<string, string | undefined>;
}

export class ZipkinExporter extends Delivery {
  readonly url: string;

  constructor(options: ZipkinOptions = {}) {
    const url = options.url ?? (options.env ?? process.env).OTEL_EXPORTER_ZIPKIN_ENDPOINT ?? DEFAULT_ZIPKIN_URL;
    const official = new OfficialZipkin({ url, headers: options.headers, serviceName: options.serviceName });
    restoreProtoTags(official);
    const tally = new Tally();
    super({
      name: 'zipkin',
      tally,
      // Logs wait for their span: each trace's spans and logs are held until it ends.
      traces: {
        hold: ['spans', 'logs'],
        maxHeld: options.maxHeldItems ?? 2000,
        parts: true,
        prepare: (trace: TraceBatch) => withAnnotations(trace, tally),
        weight: (spans: ReadableSpan[]) => spans.length,
        send: (traces: ReadableSpan[][]) => exportVia(official)(traces.flat()),
        batch: options.batch,
        // The official exporter does not retry.
        retry: options.retry,
      },
      close: () => official.shutdown(),
    });
    this.url = url;
  }
}

/**
 * A trace's spans, each with its events and then its logs as annotations. Logs whose span is
 * not in the trace (sent with no span open, or under the host's parent) are counted as dropped.
 */
function withAnnotations(trace: TraceBatch, tally: Tally): ReadableSpan[] | undefined {
  const logs = new Map<string, TimedEvent[]>();
  for (const record of trace.logs) {
    const spanId = record.spanContext?.spanId ?? '';
    if (!logs.has(spanId)) logs.set(spanId, []);
    logs.get(spanId)!.push({ name: logLine(record), time: record.hrTime });
  }
  const spans = trace.spans.map((span) => {
    const spanId = span.spanContext().spanId;
    const events = [...span.events.map(annotation), ...(logs.get(spanId) ?? [])];
    logs.delete(spanId);
    const attributes = Object.hasOwn(span.attributes, PROTO)
      ? Object.fromEntries(Object.entries(span.attributes).map(([key, value]) => [key === PROTO ? PROTO_STANDIN : key, value]))
      : span.attributes;
    // The span's own fields and methods, with annotation-ready events (defined, not assigned:
    // the span may expose them as getters only).
    return Object.create(span, { events: { value: events }, attributes: { value: attributes } }) as ReadableSpan;
  });
  for (const list of logs.values()) tally.drop(list.length);
  return spans.length === 0 ? undefined : spans;
}

/**
 * The official transform copies attributes into a plain object, where a `__proto__` tag would be
 * swallowed by the prototype setter: such a tag travels under a stand-in key and is put back as
 * an own property just before the spans are serialized.
 */
const PROTO = '__proto__';
const PROTO_STANDIN = '\u0000__proto__';

function restoreProtoTags(official: OfficialZipkin): void {
  type Send = (spans: { tags?: Record<string, string> }[], done: (result: ExportResult) => void) => void;
  const internals = official as unknown as { _send: Send };
  const send = internals._send;
  internals._send = (spans, done) => {
    for (const { tags } of spans) {
      if (tags === undefined || !Object.hasOwn(tags, PROTO_STANDIN)) continue;
      Object.defineProperty(tags, PROTO, { value: tags[PROTO_STANDIN], enumerable: true, writable: true, configurable: true });
      delete tags[PROTO_STANDIN];
    }
    send(spans, done);
  };
}

/** Zipkin annotations carry only a value: the event name with its attributes (a metric's values alone: `metric requests c 1`). */
function annotation(event: TimedEvent): TimedEvent {
  const attributes = Object.entries(event.attributes ?? {});
  if (attributes.length === 0) return event;
  const text = attributes.map(([key, value]) => (event.name === EVENT.metric ? String(value) : `${key}=${String(value)}`)).join(' ');
  return { name: `${event.name} ${text}`, time: event.time };
}
