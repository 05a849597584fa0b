/**
 * The OpenTelemetry shapes the builder emits besides spans (a closed frame is the span itself,
 * frame.ts): log records, metric points, span events and span ids, built from plain fields
 * without an OpenTelemetry SDK (the guest, not the host, decides when spans start and end).
 */
import { SpanStatusCode, TraceFlags, type Attributes, type HrTime, type SpanContext, type SpanStatus } from '@opentelemetry/api';
import { spanIdHex } from './ids.ts';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { AnyValue, LogAttributes, SeverityNumber } from '@opentelemetry/api-logs';
import { LogLevel, SEVERITY_NUMBER } from '../abi/spec.ts';
import { GuestMetric } from './model.ts';
import type { StatsdPoint } from './statsd.ts';
import type { Frame } from './frame.ts';
import { ATTR, EVENT } from './vocabulary.ts';

/** A finished item the builder hands on: a span, a log record or a metric point. */
export type Held = Frame | GuestLogRecord | GuestMetric;

export function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

export function spanContext(traceId: string, spanId: string): SpanContext {
  return { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: false };
}

export const OK_STATUS: SpanStatus = { code: SpanStatusCode.UNSET };

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
class SpanEvent implements TimedEvent {
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

/** `ERROR`, `WARN`, … by level number, from the ABI's enum. */
const LEVEL_TEXT: Record<number, string> = Object.fromEntries(
  Object.values(LogLevel)
    .filter((level): level is LogLevel => typeof level === 'number')
    .map((level) => [level, LogLevel[level].toUpperCase()]),
);
/** Shared by every record that has no attributes of its own; nothing writes to it. */
const NO_ATTRIBUTES: LogAttributes = Object.freeze({});
export const WARN_SEVERITY = SEVERITY_NUMBER[LogLevel.Warn] as SeverityNumber;
export const ERROR_SEVERITY = SEVERITY_NUMBER[LogLevel.Error] as SeverityNumber;

/** Makes the records of one observer: every one carries its resource and scope. */
export class RecordMaker {
  constructor(
    private readonly resource: Resource,
    private readonly scope: InstrumentationScope,
  ) {}

  /** A guest log line; undefined for a level outside the ABI's (the caller counts it). */
  guestLog(time: number, level: number, message: string): GuestLogRecord | undefined {
    const text = LEVEL_TEXT[level];
    const severity = SEVERITY_NUMBER[level as LogLevel] as SeverityNumber | undefined;
    if (text === undefined || severity === undefined) return undefined;
    return this.log(time, severity, text, message, NO_ATTRIBUTES);
  }

  log(time: number, severity: SeverityNumber, text: string, body: string, attributes: LogAttributes): GuestLogRecord {
    return new GuestLogRecord(time, severity, text, body, attributes, this.resource, this.scope);
  }

  metric(point: StatsdPoint, time: number): GuestMetric {
    return new GuestMetric(point, time, this.resource);
  }
}

/**
 * The span event that shows a metric on its span. Parsed points are cached and immutable, so
 * their event attributes are made once per distinct line and kept on the point itself (a
 * symbol-keyed property: exporters never see it).
 */
const EVENT_ATTRIBUTES = Symbol('metric event attributes');
type WithEventAttributes = StatsdPoint & { [EVENT_ATTRIBUTES]?: Attributes };
export function metricEvent(point: StatsdPoint, time: number): SpanEvent {
  const p = point as WithEventAttributes;
  const attributes = (p[EVENT_ATTRIBUTES] ??= { [ATTR.metricName]: point.name, [ATTR.metricType]: point.type, [ATTR.metricValue]: point.member ?? point.value });
  return new SpanEvent(EVENT.metric, time, attributes);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function exceptionEvent(time: number, error: unknown, message: string): SpanEvent {
  const attributes: Attributes = { [ATTR.exceptionMessage]: message };
  if (error instanceof Error) {
    attributes[ATTR.exceptionType] = error.name;
    if (error.stack) attributes[ATTR.exceptionStacktrace] = error.stack;
  }
  return new SpanEvent(EVENT.exception, time, attributes);
}
