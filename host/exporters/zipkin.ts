/**
 * `zipkin`: spans to a Zipkin v2 collector (`/api/v2/spans`) with the official OpenTelemetry
 * Zipkin exporter, batched by `OtelPipeline` and retried with backoff (the official exporter
 * does not retry). Zipkin has no logs or metrics, so each log record becomes an annotation on
 * its span (`WARN template cache miss`), as the guest's metrics already are (`metric
 * requests c 1`): nothing the guest sent is lost on the way. Logs whose span Zipkin never sees
 * (sent with no span open) are counted as dropped.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter, TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ZipkinExporter as OfficialZipkin } from '@opentelemetry/exporter-zipkin';
import type { TraceSummary } from '../trace/model.ts';
import { hrTime } from '../trace/records.ts';
import type { ExportStats } from './exporter.ts';
import { OtelPipeline, type BatchOptions } from './otel/pipeline.ts';
import { DeliveryError, withRetry, type RetryPolicy } from './retry.ts';

export const DEFAULT_ZIPKIN_URL = 'http://localhost:9411/api/v2/spans';

export interface ZipkinOptions {
  /** Default: OTEL_EXPORTER_ZIPKIN_ENDPOINT, else http://localhost:9411/api/v2/spans. */
  url?: string;
  headers?: Record<string, string>;
  /** Default: the resource's `service.name`. */
  serviceName?: string;
  batch?: BatchOptions;
  retry?: RetryPolicy;
  /** Log records held per trace waiting for their span. Default 10 000. */
  maxHeldLogs?: number;
  env?: Record<string, string | undefined>;
}

export class ZipkinExporter extends OtelPipeline {
  readonly url: string;
  private held = new Map<string, TimedEvent[]>();
  private heldCount = 0;
  private readonly maxHeld: number;
  private unplaced = 0;

  constructor(options: ZipkinOptions = {}) {
    const url = options.url ?? (options.env ?? process.env).OTEL_EXPORTER_ZIPKIN_ENDPOINT ?? DEFAULT_ZIPKIN_URL;
    const official = new OfficialZipkin({ url, headers: options.headers, serviceName: options.serviceName });
    restoreProtoTags(official);
    super({ name: 'zipkin', spans: new Retrying(official, options.retry), batch: options.batch });
    this.url = url;
    this.maxHeld = options.maxHeldLogs ?? 10_000;
  }

  override onSpan(span: ReadableSpan): void {
    const spanId = span.spanContext().spanId;
    const logs = this.held.get(spanId);
    if (logs) {
      this.held.delete(spanId);
      this.heldCount -= logs.length;
    }
    const events = [...span.events, ...(logs ?? [])].map(annotation);
    const attributes = Object.hasOwn(span.attributes, PROTO) ? renameKey(span.attributes, PROTO, PROTO_STANDIN) : span.attributes;
    // The span's own fields and methods, with annotation-ready events.
    super.onSpan(Object.create(span, { events: { value: events }, attributes: { value: attributes } }) as ReadableSpan);
  }

  override onLog(record: ReadableLogRecord): void {
    const spanId = record.spanContext?.spanId;
    if (spanId === undefined || this.heldCount >= this.maxHeld) {
      this.unplaced++;
      return;
    }
    let list = this.held.get(spanId);
    if (list === undefined) this.held.set(spanId, (list = []));
    const body = typeof record.body === 'string' ? record.body : JSON.stringify(record.body);
    list.push({ name: `${record.severityText ?? 'LOG'} ${body}`, time: record.hrTime, droppedAttributesCount: 0 });
    this.heldCount++;
  }

  override onTraceEnd(summary: TraceSummary): void {
    // Logs still held belong to spans outside the guest (the host's parent) or never kept.
    this.unplaced += this.heldCount;
    this.held = new Map();
    this.heldCount = 0;
    super.onTraceEnd(summary);
  }

  override stats(): ExportStats {
    const stats = super.stats();
    return { ...stats, dropped: stats.dropped + this.unplaced };
  }
}

/**
 * The official transform copies attributes into a plain object, where a `__proto__` tag would be
 * swallowed by the prototype setter: such a tag travels under a stand-in key and is put back as
 * an own property just before the spans are serialized.
 */
const PROTO = '__proto__';
const PROTO_STANDIN = '\u0000__proto__';

function renameKey(attributes: Attributes, from: string, to: string): Attributes {
  const copy: Attributes = {};
  for (const key of Object.keys(attributes)) copy[key === from ? to : key] = attributes[key];
  return copy;
}

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

/** Zipkin annotations carry only a value: the event name with its attributes. */
function annotation(event: TimedEvent): TimedEvent {
  const attributes = Object.entries(event.attributes ?? {});
  if (attributes.length === 0) return event;
  const text = event.name === 'metric' ? attributes.map(([, v]) => String(v)).join(' ') : attributes.map(([k, v]) => `${k}=${String(v)}`).join(' ');
  return { name: `${event.name} ${text}`, time: event.time ?? hrTime(0), droppedAttributesCount: 0 };
}

/** Retries a failed export with backoff; a span exporter's failure does not say why. */
class Retrying implements SpanExporter {
  private closing = false;
  constructor(
    private readonly inner: SpanExporter,
    private readonly policy: RetryPolicy = {},
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const attempt = () =>
      new Promise<void>((resolve, reject) =>
        this.inner.export(spans, (result) =>
          result.code === 0 ? resolve() : reject(result.error ?? new DeliveryError('zipkin export failed', true)),
        ),
      );
    withRetry(attempt, this.policy, () => this.closing).then(
      () => done({ code: 0 }),
      (error: unknown) => done({ code: 1, error: error instanceof Error ? error : new Error(String(error)) }),
    );
  }

  shutdown(): Promise<void> {
    this.closing = true;
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
