/**
 * The trace builder: turns the guest's event stream into spans, log records and metrics.
 *
 * One stack holds manual spans (`span-enter`) and function spans (instrument `enter`). Its bottom
 * is the invocation itself (not exported): what arrives while no span is open lands there.
 *
 * Filtering: a function span shorter than `minSpanDurationMicros` is dropped; manual spans are
 * always kept. What a dropped span held — logs, metrics, tags, memory growth, kept children —
 * moves to its nearest kept ancestor. A function span is known to be kept as soon as it has
 * lasted the threshold, so things are held back only during a span's first microseconds: memory
 * stays bounded however long the guest runs.
 */
import { INVALID_SPANID, SpanStatusCode, type Attributes, type AttributeValue, type SpanContext, type SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { SeverityNumber } from '@opentelemetry/api-logs';
import { LogLevel, MetricFormat, SEVERITY_NUMBER, WASM_PAGE_BYTES } from '../abi/spec.ts';
import type { AnomalyKind, EventSink, GuestEvent } from '../events.ts';
import { addTag, parseTags, type Tag } from './tags.ts';
import { parseStatsd, type StatsdPoint } from './statsd.ts';
import { newTraceId, spanIdWord } from './ids.ts';
import { GuestLogRecord, GuestSpan, OK_STATUS, SpanEvent, SpanRef, spanContext } from './records.ts';
import { GuestMetric, type TelemetrySink, type TraceSummary } from './model.ts';

/** Attribute and event names the builder writes. */
export const ATTR = {
  allocation: 'allocation',
  allocationPages: 'allocation.pages',
  functionIndex: 'code.function.index',
  unclosed: 'wasm_observe.unclosed',
  anomaly: 'wasm_observe.anomaly',
  anomalyCount: 'wasm_observe.anomalies',
  unparsed: 'wasm_observe.metric.unparsed',
  metricFormat: 'wasm_observe.metric.format',
} as const;

export interface BuilderOptions {
  /** Function spans shorter than this are dropped (manual spans never are). Default 20. */
  minSpanDurationMicros: number;
  /** The name of a function index (from the module's name section, demangled). */
  functionName: (index: number) => string;
  resource: Resource;
  scope: InstrumentationScope;
  /** Anomalies of one kind reported as individual log records per trace; the rest are counted. */
  anomalyLogLimit?: number;
  /** Items one undecided span may hold back before it is kept regardless of its duration. */
  maxHeldPerSpan?: number;
}

type Held = GuestSpan | GuestLogRecord | GuestMetric;

/** Per-span limits, the OpenTelemetry defaults: a span open for a whole run stays bounded. */
const MAX_ATTRIBUTES = 128;
const MAX_EVENTS = 128;

class Frame {
  kept: boolean;
  attributes: Record<string, AttributeValue> = {};
  private attributeCount = 0;
  droppedAttributes = 0;
  events: TimedEvent[] = [];
  droppedEvents = 0;
  allocationPages = 0;
  /** Finished children, logs and metrics waiting for this frame's keep/drop decision. */
  held: Held[] | undefined;
  constructor(
    readonly name: string,
    /** Undefined for the invocation when it has no host parent span. */
    readonly ref: SpanRef | undefined,
    readonly start: number,
    /** -1 for a manual span and for the invocation. */
    readonly functionIndex: number,
  ) {
    this.kept = functionIndex < 0;
  }

  tag(tag: Tag): void {
    const isNew = !(tag[0] in this.attributes);
    if (isNew && this.attributeCount >= MAX_ATTRIBUTES) this.droppedAttributes++;
    else if (!addTag(this.attributes, tag)) this.droppedAttributes++;
    else if (isNew) this.attributeCount++;
  }

  event(event: TimedEvent): void {
    if (this.events.length < MAX_EVENTS) this.events.push(event);
    else this.droppedEvents++;
  }

  /** The attributes as exported: the tags plus the function index and memory growth. */
  finalAttributes(): Attributes {
    const attributes: Attributes = this.attributes;
    if (this.functionIndex >= 0) attributes[ATTR.functionIndex] = this.functionIndex;
    if (this.allocationPages > 0) {
      attributes[ATTR.allocation] = this.allocationPages * WASM_PAGE_BYTES;
      attributes[ATTR.allocationPages] = this.allocationPages;
    }
    return attributes;
  }

  /** Takes over what a dropped child held. */
  absorb(child: Frame): void {
    for (const key in child.attributes) {
      const value = child.attributes[key]!;
      for (const v of Array.isArray(value) ? value : [value]) this.tag([key, String(v)]);
    }
    for (const event of child.events) this.event(event);
    this.droppedAttributes += child.droppedAttributes;
    this.droppedEvents += child.droppedEvents;
    this.allocationPages += child.allocationPages;
  }
}

/** `ERROR`, `WARN`, … by level number, from the ABI's enum. */
const LEVEL_TEXT: Record<number, string> = Object.fromEntries(
  Object.values(LogLevel)
    .filter((level): level is LogLevel => typeof level === 'number')
    .map((level) => [level, LogLevel[level].toUpperCase()]),
);
/** Shared by every record that has no attributes of its own; nothing writes to it. */
const NO_ATTRIBUTES: Record<string, AttributeValue> = Object.freeze({});
const WARN_SEVERITY = SEVERITY_NUMBER[LogLevel.Warn] as SeverityNumber;
const ERROR_SEVERITY = SEVERITY_NUMBER[LogLevel.Error] as SeverityNumber;

export class TraceBuilder implements EventSink {
  private readonly minDuration: number;
  private readonly anomalyLogLimit: number;
  private readonly maxHeld: number;
  private traceId = '';
  /** Logs outside every span carry this: the trace id with the invalid span id. */
  private traceRef: SpanRef | undefined;
  private traceName = '';
  private stack: Frame[] = [];
  private counts = { spans: 0, logs: 0, metrics: 0 };
  private anomalies: Partial<Record<AnomalyKind, number>> = {};
  private traceStart = 0;

  constructor(
    private readonly sink: TelemetrySink,
    private readonly options: BuilderOptions,
  ) {
    this.minDuration = options.minSpanDurationMicros / 1000;
    this.anomalyLogLimit = options.anomalyLogLimit ?? 10;
    this.maxHeld = options.maxHeldPerSpan ?? 10_000;
  }

  get active(): boolean {
    return this.stack.length > 0;
  }

  get currentTraceId(): string {
    return this.traceId;
  }

  /** Starts a trace; its root spans become children of `parent` when given. */
  start(name: string, time: number, parent?: SpanContext): void {
    if (this.active) this.finish(time);
    this.traceId = parent?.traceId ?? newTraceId();
    this.traceName = name;
    this.traceStart = time;
    this.counts = { spans: 0, logs: 0, metrics: 0 };
    this.anomalies = {};
    this.stack = [new Frame(name, parent && SpanRef.of(parent), time, -1)];
    this.traceRef = SpanRef.of(spanContext(this.traceId, INVALID_SPANID));
  }

  /**
   * Ends the trace. With `error` (a trap or exception), every open span ends with status ERROR
   * and an exception event; otherwise spans still open are closed and marked unclosed.
   */
  finish(time: number, error?: unknown): TraceSummary {
    if (!this.active) this.start('wasm', time);
    const message = error === undefined ? undefined : errorMessage(error);
    if (message !== undefined) this.anomaly(time, 'guest-trap', message);
    while (this.stack.length > 1) {
      const frame = this.stack[this.stack.length - 1]!;
      if (message !== undefined) {
        frame.events.push(exceptionEvent(time, error, message));
        this.close(time, { code: SpanStatusCode.ERROR, message });
      } else {
        this.anomaly(time, 'span-left-open', frame.name);
        frame.attributes[ATTR.unclosed] = true;
        this.close(time, OK_STATUS);
      }
    }
    this.reportAnomalies(time);
    const root = this.stack[0]!;
    const attributes = root.finalAttributes();
    this.stack = [];
    const summary: TraceSummary = {
      traceId: this.traceId,
      name: this.traceName,
      startTime: this.traceStart,
      endTime: time,
      ...this.counts,
      anomalies: this.anomalies,
      attributes,
      error: message,
    };
    this.sink.onTraceEnd(summary);
    return summary;
  }

  handle(event: GuestEvent): void {
    if (!this.active) this.start('wasm', event.time);
    switch (event.type) {
      case 'span-enter':
        this.stack.push(new Frame(event.name, this.newRef(), event.time, -1));
        return;
      case 'function-enter':
        this.stack.push(new Frame(this.options.functionName(event.index), this.newRef(), event.time, event.index));
        return;
      case 'span-exit':
        return this.spanExit(event.time);
      case 'function-exit':
        return this.functionExit(event.index, event.time);
      case 'span-tags': {
        const frame = this.top();
        if (this.stack.length === 1) this.anomaly(event.time, 'tags-without-span', event.tags);
        for (const tag of parseTags(event.tags)) frame.tag(tag);
        return;
      }
      case 'log':
        return this.log(event.level, event.message, event.time);
      case 'metric':
        return this.metric(event.format, event.text, event.time);
      case 'memory-grow':
        if (event.pages < 0) this.anomaly(event.time, 'memory-grow-negative', String(event.pages));
        else this.top().allocationPages += event.pages;
        return;
      case 'anomaly':
        return this.anomaly(event.time, event.kind, event.detail);
    }
  }

  private newRef(): SpanRef {
    return new SpanRef(this.traceId, spanIdWord(), spanIdWord());
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  private spanExit(time: number): void {
    const top = this.top();
    if (this.stack.length > 1 && top.functionIndex < 0) {
      this.close(time, OK_STATUS);
      return;
    }
    // The innermost frame is a function (or nothing is open): find the innermost manual span.
    let i = this.stack.length - 1;
    while (i > 0 && this.stack[i]!.functionIndex >= 0) i--;
    if (i === 0) {
      this.anomaly(time, 'span-exit-without-span', '');
      return;
    }
    this.anomaly(time, 'span-exit-crosses-function', this.stack[i]!.name);
    // Manual frames are always kept, so closing one out of order leaves nothing stranded.
    const [frame] = this.stack.splice(i, 1);
    this.emitSpan(frame!, time, OK_STATUS, this.stack[i - 1]!);
  }

  private functionExit(index: number, time: number): void {
    let i = this.stack.length - 1;
    while (i > 0 && this.stack[i]!.functionIndex !== index) i--;
    if (i === 0) {
      this.anomaly(time, 'function-exit-mismatch', this.options.functionName(index));
      return;
    }
    while (this.stack.length - 1 > i) {
      const inner = this.top();
      this.anomaly(time, 'span-left-open', inner.name);
      inner.attributes[ATTR.unclosed] = true;
      this.close(time, OK_STATUS);
    }
    this.close(time, OK_STATUS);
  }

  /** Pops the innermost frame and keeps or drops it. */
  private close(time: number, status: SpanStatus): void {
    const frame = this.stack.pop()!;
    const parent = this.top();
    if (this.isKept(frame, time) || status.code === SpanStatusCode.ERROR) {
      this.release(frame);
      this.emitSpan(frame, time, status, parent);
      return;
    }
    // Dropped: its contents move up to the parent.
    parent.absorb(frame);
    if (frame.held) for (const item of frame.held) this.place(item, parent, time);
  }

  private emitSpan(frame: Frame, end: number, status: SpanStatus, parent: Frame): void {
    const span = new GuestSpan(
      frame.name,
      frame.ref!,
      frame.start,
      end,
      frame.finalAttributes(),
      frame.events,
      status,
      this.options.resource,
      this.options.scope,
      frame.droppedAttributes,
      frame.droppedEvents,
    );
    this.place(span, parent, end);
  }

  /** Decides a frame kept once it has lasted the threshold. */
  private isKept(frame: Frame, time: number): boolean {
    if (!frame.kept && time - frame.start >= this.minDuration) {
      frame.kept = true;
      this.release(frame);
    }
    return frame.kept;
  }

  /** Emits what a frame held back, now that it is kept. */
  private release(frame: Frame): void {
    const held = frame.held;
    if (held === undefined) return;
    frame.held = undefined;
    for (const item of held) this.deliver(item, frame);
  }

  /** Delivers an item under `frame` if the frame is kept, else holds it there. */
  private place(item: Held, frame: Frame, time: number): void {
    if (this.isKept(frame, time)) {
      this.deliver(item, frame);
      return;
    }
    (frame.held ??= []).push(item);
    if (frame.held.length >= this.maxHeld) {
      frame.kept = true;
      this.release(frame);
    }
  }

  private deliver(item: Held, owner: Frame): void {
    const ref = owner.ref;
    if (item instanceof GuestSpan) {
      item.parentRef = ref;
      this.counts.spans++;
      this.sink.onSpan(item);
    } else if (item instanceof GuestLogRecord) {
      // A record outside every span still carries the trace id (with the invalid span id).
      item.ref = ref ?? this.traceRef;
      this.counts.logs++;
      this.sink.onLog(item);
    } else {
      item.ref = ref;
      this.counts.metrics++;
      this.sink.onMetric(item);
    }
  }

  private log(level: number, message: string, time: number): void {
    let text = LEVEL_TEXT[level];
    let severity = SEVERITY_NUMBER[level as LogLevel] as SeverityNumber | undefined;
    if (text === undefined || severity === undefined) {
      this.anomaly(time, 'unknown-log-level', String(level));
      text = `LEVEL ${level}`;
      severity = 0 as SeverityNumber;
    }
    this.place(this.record(time, severity, text, message, NO_ATTRIBUTES), this.top(), time);
  }

  private metric(format: number, text: string, time: number): void {
    const frame = this.top();
    if (format !== MetricFormat.Statsd) {
      this.anomaly(time, 'unknown-metric-format', String(format));
      this.keepRaw(text, time, { [ATTR.metricFormat]: format });
      return;
    }
    for (const line of parseStatsd(text)) {
      if (!line.ok) {
        this.anomaly(time, 'metric-unparsed', `${line.reason}: ${line.raw}`);
        this.keepRaw(line.raw, time, { [ATTR.metricFormat]: format });
        continue;
      }
      for (const point of line.points) {
        frame.event(new SpanEvent('metric', time, metricEventAttributes(point)));
        this.place(new GuestMetric(point, time, this.options.resource), frame, time);
      }
    }
  }

  /** A metric the host cannot interpret is kept as a flagged log record with the raw text. */
  private keepRaw(raw: string, time: number, attributes: Record<string, AttributeValue>): void {
    attributes[ATTR.unparsed] = true;
    this.place(this.record(time, WARN_SEVERITY, 'WARN', raw, attributes), this.top(), time);
  }

  private anomaly(time: number, kind: AnomalyKind, detail: string): void {
    const count = (this.anomalies[kind] ?? 0) + 1;
    this.anomalies[kind] = count;
    if (count > this.anomalyLogLimit) return;
    const severity = kind === 'guest-trap' ? ERROR_SEVERITY : WARN_SEVERITY;
    const body = detail === '' ? `wasm-observe: ${kind}` : `wasm-observe: ${kind}: ${detail}`;
    const record = this.record(time, severity, severity === ERROR_SEVERITY ? 'ERROR' : 'WARN', body, { [ATTR.anomaly]: kind });
    this.place(record, this.top(), time);
  }

  /** The trace's anomaly counts, as one record that travels with the exported logs. */
  private reportAnomalies(time: number): void {
    const entries = Object.entries(this.anomalies);
    if (entries.length === 0) return;
    const body = `wasm-observe: anomalies in this trace: ${entries.map(([kind, n]) => `${kind} ×${n}`).join(', ')}`;
    const attributes: Record<string, AttributeValue> = {};
    for (const [kind, n] of entries) attributes[`${ATTR.anomalyCount}.${kind}`] = n;
    this.place(this.record(time, WARN_SEVERITY, 'WARN', body, attributes), this.stack[0]!, time);
  }

  private record(
    time: number,
    severity: SeverityNumber,
    text: string,
    body: string,
    attributes: Record<string, AttributeValue>,
  ): GuestLogRecord {
    return new GuestLogRecord(time, severity, text, body, attributes, this.options.resource, this.options.scope);
  }
}

/**
 * The span event that shows a metric on its span. Parsed points are cached and immutable, so
 * their event attributes are made once per distinct line.
 */
const eventAttributes = new WeakMap<StatsdPoint, Attributes>();
function metricEventAttributes(point: StatsdPoint): Attributes {
  let attributes = eventAttributes.get(point);
  if (attributes === undefined) {
    attributes = { 'metric.name': point.name, 'metric.type': point.type, 'metric.value': point.member ?? point.value };
    eventAttributes.set(point, attributes);
  }
  return attributes;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function exceptionEvent(time: number, error: unknown, message: string): TimedEvent {
  const attributes: Attributes = { 'exception.message': message };
  if (error instanceof Error) {
    attributes['exception.type'] = error.name;
    if (error.stack) attributes['exception.stacktrace'] = error.stack;
  }
  return new SpanEvent('exception', time, attributes);
}
