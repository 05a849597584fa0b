/**
 * The OpenTelemetry shapes the builder emits: a finished span and a log record, built from
 * plain fields without an OpenTelemetry tracer (the guest, not the host, decides when spans
 * start and end, and a span's parent is only known once its ancestors are kept or dropped).
 */
import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type HrTime, type Link, type SpanContext, type SpanStatus } from '@opentelemetry/api';
import { spanIdHex } from './ids.ts';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { AnyValue, LogAttributes, SeverityNumber } from '@opentelemetry/api-logs';

export function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

export function spanContext(traceId: string, spanId: string): SpanContext {
  return { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: false };
}

export const OK_STATUS: SpanStatus = { code: SpanStatusCode.UNSET };

const NO_LINKS: Link[] = [];

/**
 * A span's identity. Its hex id and SpanContext are made only when something reads them: with
 * no exporter (or before an exporter's batch is sent) a span costs two random words.
 */
export class SpanRef {
  private ctx: SpanContext | undefined;

  constructor(
    readonly traceId: string,
    private readonly hi: number,
    private readonly lo: number,
  ) {}

  /** A span that already has a context: the host's parent span, or the trace itself. */
  static of(context: SpanContext): SpanRef {
    const ref = new SpanRef(context.traceId, 0, 0);
    ref.ctx = context;
    return ref;
  }

  get context(): SpanContext {
    return (this.ctx ??= spanContext(this.traceId, spanIdHex(this.hi, this.lo)));
  }
}

export class GuestSpan implements ReadableSpan {
  readonly kind = SpanKind.INTERNAL;
  readonly links = NO_LINKS;
  readonly ended = true;
  readonly droppedLinksCount = 0;
  /** Set when the span is emitted: the nearest ancestor that was kept. */
  parentRef: SpanRef | undefined;

  constructor(
    readonly name: string,
    private readonly ref: SpanRef,
    /** Epoch milliseconds; converted to HrTime only if an exporter asks. */
    private readonly start: number,
    private readonly end: number,
    readonly attributes: Attributes,
    readonly events: TimedEvent[],
    readonly status: SpanStatus,
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
    readonly droppedAttributesCount: number,
    readonly droppedEventsCount: number,
  ) {}

  get startTime(): HrTime {
    return hrTime(this.start);
  }

  get endTime(): HrTime {
    return hrTime(this.end);
  }

  get duration(): HrTime {
    return hrTime(this.end - this.start);
  }

  get parentSpanContext(): SpanContext | undefined {
    return this.parentRef?.context;
  }

  spanContext(): SpanContext {
    return this.ref.context;
  }
}

export class GuestLogRecord implements ReadableLogRecord {
  readonly droppedAttributesCount = 0;
  /** Set when the record is emitted: the innermost kept span, or the trace. */
  ref: SpanRef | undefined;

  constructor(
    /** Epoch milliseconds. */
    readonly time: number,
    readonly severityNumber: SeverityNumber,
    readonly severityText: string,
    readonly body: AnyValue,
    readonly attributes: LogAttributes,
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
  ) {}

  get spanContext(): SpanContext | undefined {
    return this.ref?.context;
  }

  get hrTime(): HrTime {
    return hrTime(this.time);
  }

  get hrTimeObserved(): HrTime {
    return hrTime(this.time);
  }
}

/** A span event whose HrTime is made only if an exporter reads it. */
export class SpanEvent implements TimedEvent {
  readonly droppedAttributesCount = 0;
  constructor(
    readonly name: string,
    private readonly ms: number,
    readonly attributes: Attributes,
  ) {}

  get time(): HrTime {
    return hrTime(this.ms);
  }
}
