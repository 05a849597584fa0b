/**
 * The trace builder: routes the guest's events to the spans they belong to, and hands finished
 * spans, log records and metrics to the sink.
 *
 * Two kinds of span share one tree (see open-spans.ts): manual spans close only on `span-exit`,
 * function spans only on their own `exit`. `span-tags` goes to the innermost manual span; logs,
 * metrics and memory growth to the most recently opened span still open, of either kind. The
 * invocation is the tree's root (not exported): what arrives while no span is open lands there.
 */
import { INVALID_SPANID, SpanStatusCode, type SpanContext, type SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { SeverityNumber } from '@opentelemetry/api-logs';
import { MetricFormat } from '../abi/spec.ts';
import type { AnomalyKind, EventSink } from '../events.ts';
import { Anomalies } from './anomalies.ts';
import { KeepFilter } from './filter.ts';
import { Frame, type TraceContext } from './frame.ts';
import { newTraceId } from './ids.ts';
import type { TelemetrySink, TraceSummary } from './model.ts';
import { OpenSpans } from './open-spans.ts';
import {
  errorMessage,
  exceptionEvent,
  GuestLogRecord,
  metricEvent,
  OK_STATUS,
  RecordMaker,
  SpanRef,
  spanContext,
  WARN_SEVERITY,
  type Held,
} from './records.ts';
import { parseStatsd } from './statsd.ts';
import { parseTags } from './tags.ts';
import { ATTR } from './vocabulary.ts';

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

export class TraceBuilder implements EventSink {
  private readonly records: RecordMaker;
  private readonly filter: KeepFilter;
  private readonly anomalies: Anomalies;
  private traceId = '';
  /** Logs outside every span carry this: the trace id with the invalid span id. */
  private traceRef: SpanRef | undefined;
  private traceName = '';
  private traceStart = 0;
  private spans: OpenSpans<Frame> | undefined;
  private context: TraceContext;
  private counts = { spans: 0, logs: 0, metrics: 0 };

  constructor(
    private readonly sink: TelemetrySink,
    private readonly options: BuilderOptions,
  ) {
    this.records = new RecordMaker(options.resource, options.scope);
    this.context = { traceId: '', functionName: options.functionName, resource: options.resource, scope: options.scope };
    this.anomalies = new Anomalies(this.records, options.anomalyLogLimit ?? 10);
    this.filter = new KeepFilter(options.minSpanDurationMicros / 1000, options.maxHeldPerSpan ?? 10_000, (item, owner) =>
      this.deliver(item, owner),
    );
  }

  get active(): boolean {
    return this.spans !== undefined;
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
    this.anomalies.reset();
    this.context = { ...this.context, traceId: this.traceId };
    this.spans = new OpenSpans(new Frame(name, time, -1, this.context, true, parent && SpanRef.of(parent)));
    this.traceRef = SpanRef.of(spanContext(this.traceId, INVALID_SPANID));
  }

  /**
   * Ends the trace. With `error` (a trap or exception), every open span ends with status ERROR
   * and an exception event; otherwise spans still open are closed and marked unclosed.
   */
  finish(time: number, error?: unknown): TraceSummary {
    if (!this.active) this.start('wasm', time);
    const spans = this.spans!;
    const message = error === undefined ? undefined : errorMessage(error);
    if (message !== undefined) this.anomaly(time, 'guest-trap', message);
    while (spans.depth > 0) {
      const frame = spans.remove(spans.depth - 1);
      if (message !== undefined) {
        frame.exception(exceptionEvent(time, error, message));
        this.close(frame, time, { code: SpanStatusCode.ERROR, message });
      } else {
        this.leftOpen(frame, time);
      }
    }
    const root = spans.root;
    const summaryRecord = this.anomalies.summary(time);
    if (summaryRecord) this.filter.place(summaryRecord, root, time);
    this.spans = undefined;
    const summary: TraceSummary = {
      traceId: this.traceId,
      name: this.traceName,
      startTime: this.traceStart,
      endTime: time,
      ...this.counts,
      anomalies: this.anomalies.all,
      attributes: root.finalAttributes(),
      error: message,
    };
    this.sink.onTraceEnd(summary);
    return summary;
  }

  spanEnter(time: number, name: string): void {
    const spans = this.open(time);
    spans.push(new Frame(name, time, -1, this.context));
  }

  functionEnter(time: number, index: number): void {
    const spans = this.open(time);
    spans.push(new Frame(undefined, time, index, this.context));
  }

  /** Closes the innermost manual span; function spans opened inside it stay open. */
  spanExit(time: number): void {
    const spans = this.open(time);
    const at = spans.innermostManual();
    if (at < 0) return this.anomaly(time, 'span-exit-without-span', '');
    this.close(spans.remove(at), time, OK_STATUS);
  }

  /**
   * Closes the innermost open span of function `index`. Function spans opened after it were left
   * open by a return the instrumentation did not see: they close as unclosed. Manual spans opened
   * inside it stay open.
   */
  functionExit(time: number, index: number): void {
    const spans = this.open(time);
    const at = spans.innermostFunction(index);
    if (at < 0) return this.anomaly(time, 'function-exit-mismatch', this.options.functionName(index));
    for (let i = spans.depth - 1; i > at; i--) {
      if (spans.at(i).functionIndex >= 0) this.leftOpen(spans.remove(i), time);
    }
    this.close(spans.remove(at), time, OK_STATUS);
  }

  spanTags(time: number, tags: string): void {
    const spans = this.open(time);
    if (spans.depth === 0) this.anomaly(time, 'tags-without-span', tags);
    const frame = spans.manualOrTop();
    for (const tag of parseTags(tags)) frame.tag(tag);
  }

  memoryGrow(time: number, pages: number): void {
    const spans = this.open(time);
    if (pages < 0) this.anomaly(time, 'memory-grow-negative', String(pages));
    else spans.top().allocationPages += pages;
  }

  log(time: number, level: number, message: string): void {
    const spans = this.open(time);
    let record = this.records.guestLog(time, level, message);
    if (record === undefined) {
      this.anomaly(time, 'unknown-log-level', String(level));
      record = this.records.log(time, 0 as SeverityNumber, `LEVEL ${level}`, message, {});
    }
    this.filter.place(record, spans.top(), time);
  }

  metric(time: number, format: number, text: string): void {
    const frame = this.open(time).top();
    if (format !== MetricFormat.Statsd) {
      this.anomaly(time, 'unknown-metric-format', String(format));
      return this.keepRaw(text, format, time);
    }
    for (const line of parseStatsd(text)) {
      if (!line.ok) {
        this.anomaly(time, 'metric-unparsed', `${line.reason}: ${line.raw}`);
        this.keepRaw(line.raw, format, time);
        continue;
      }
      for (const point of line.points) {
        frame.event(metricEvent(point, time));
        this.filter.place(this.records.metric(point, time), frame, time);
      }
    }
  }

  anomaly(time: number, kind: AnomalyKind, detail: string): void {
    const record = this.anomalies.count(time, kind, detail);
    if (record) this.filter.place(record, this.open(time).top(), time);
  }

  /** The open spans, starting a trace first if none is active (events outside any trace). */
  private open(time: number): OpenSpans<Frame> {
    if (this.spans === undefined) this.start('wasm', time);
    return this.spans!;
  }

  private leftOpen(frame: Frame, time: number): void {
    this.anomaly(time, 'span-left-open', frame.name);
    frame.unclosed = true;
    this.close(frame, time, OK_STATUS);
  }

  /** A frame taken off the open spans: kept (a span under its parent) or dropped. */
  private close(frame: Frame, time: number, status: SpanStatus): void {
    const parent = frame.parent!;
    // Closed, the frame is the exported span: it must not keep its ancestors alive.
    frame.parent = undefined;
    if (this.filter.settle(frame, parent, time, status.code === SpanStatusCode.ERROR)) {
      this.filter.place(frame.close(time, status), parent, time);
    }
  }

  private deliver(item: Held, owner: Frame): void {
    const ref = owner.ref;
    if (item instanceof Frame) {
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

  /** A metric the host cannot interpret is kept as a flagged log record with the raw text. */
  private keepRaw(raw: string, format: number, time: number): void {
    const attributes = { [ATTR.metricFormat]: format, [ATTR.unparsed]: true };
    this.filter.place(this.records.log(time, WARN_SEVERITY, 'WARN', raw, attributes), this.spans!.top(), time);
  }
}
