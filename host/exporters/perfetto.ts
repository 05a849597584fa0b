/**
 * `perfetto`: the guest's traces as a Chrome Trace Event file (JSON object format), the flame
 * chart ui.perfetto.dev, chrome://tracing and speedscope open: one complete (`X`) event per span
 * with its attributes, the invocation itself as the outermost bar, instant (`i`) events for logs,
 * metrics and exceptions, counter (`C`) events for gauges, and `process_name` / `thread_name`
 * metadata. Timestamps are microseconds from the start of the first trace. Each trace gets its
 * own thread; spans that do not nest (a manual span closed after its function returned) go on a
 * further thread of that trace, so every thread's bars nest as the format requires.
 *
 * Events are written as each trace ends, synchronously (see {@link LineWriter}); the closing
 * bracket at shutdown.
 */
import { SpanStatusCode, type HrTime } from '@opentelemetry/api';
import type { GuestMetric, TraceSummary } from '../trace/model.ts';
import { hrTime } from '../trace/records.ts';
import { ATTR, EVENT, ID_KEY } from '../trace/vocabulary.ts';
import { bodyText, logLine, tagsText } from './conversions.ts';
import { Delivery, wholeTraces, type TraceBatch } from './delivery.ts';
import { LineWriter } from './line-writer.ts';

export interface PerfettoOptions {
  /** File to write; `-` for standard output. */
  path: string;
  /** Spans, logs and metrics kept per trace; the rest are counted as dropped. Default 100 000. */
  maxItems?: number;
}

/** One Chrome Trace Event. */
export interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'C' | 'M';
  pid: number;
  tid?: number;
  /** Microseconds. */
  ts?: number;
  dur?: number;
  cat?: string;
  /** Scope of an instant event: thread. */
  s?: 't';
  args?: Record<string, unknown>;
}

const PID = 1;

export class PerfettoExporter extends Delivery {
  constructor(options: PerfettoOptions) {
    const out = new LineWriter(options.path);
    const file = new TraceEventWriter();
    out.write('{"displayTimeUnit":"ms","traceEvents":[');
    super({
      name: 'perfetto',
      traces: wholeTraces(options.maxItems ?? 100_000, (trace) => out.write(file.lines(trace))),
      close: () => void out.write('\n]}\n'),
      out,
    });
  }
}

/** Turns traces into event lines, keeping what spans traces: the time origin, threads, gauge values. */
class TraceEventWriter {
  /** Epoch seconds and nanoseconds of time 0. */
  private origin: HrTime | undefined;
  private nextTid = 1;
  private written = 0;
  private readonly gauges = new Map<string, number>();

  lines(trace: TraceBatch): string {
    const summary = trace.summary!;
    const origin = (this.origin ??= hrTime(summary.startTime));
    // Whole nanoseconds: no float noise in the file.
    const micros = (time: HrTime) => Math.round((time[0] - origin[0]) * 1e9 + (time[1] - origin[1])) / 1e3;
    const events: TraceEvent[] = [];
    if (this.written === 0) {
      const service = (trace.spans[0]?.resource ?? trace.logs[0]?.resource ?? trace.metrics[0]?.resource)?.attributes[ATTR.serviceName];
      events.push({ name: 'process_name', ph: 'M', pid: PID, args: { name: String(service ?? 'wasm guest') } });
    }
    const threads = this.threads(trace, summary, micros);
    for (const [index, tid] of threads.tids.entries()) {
      const suffix = index === 0 ? '' : ` (${index + 1})`;
      events.push({ name: 'thread_name', ph: 'M', pid: PID, tid, args: { name: `${summary.name} ${summary.traceId.slice(0, 8)}${suffix}` } });
      events.push({ name: 'thread_sort_index', ph: 'M', pid: PID, tid, args: { sort_index: tid } });
    }
    const first = threads.tids[0]!;
    const invocation: Record<string, unknown> = { [ID_KEY.traceId]: summary.traceId, spans: summary.spans, logs: summary.logs, metrics: summary.metrics };
    if (Object.keys(summary.anomalies).length > 0) invocation.anomalies = summary.anomalies;
    if (summary.error !== undefined) invocation.error = summary.error;
    const bar = threads.invocation;
    events.push({ name: summary.name, cat: 'invocation', ph: 'X', pid: PID, tid: first, ts: bar.start, dur: bar.end - bar.start, args: invocation });
    for (const span of trace.spans) {
      const context = span.spanContext();
      const tid = threads.bySpan.get(context.spanId) ?? first;
      const args: Record<string, unknown> = { ...span.attributes, [ID_KEY.traceId]: context.traceId, [ID_KEY.spanId]: context.spanId };
      if (span.parentSpanContext) args[ID_KEY.parentSpanId] = span.parentSpanContext.spanId;
      if (span.status.code === SpanStatusCode.ERROR) args.error = span.status.message ?? 'error';
      const cat = span.attributes[ATTR.functionIndex] === undefined ? 'span' : 'function';
      events.push({ name: span.name, cat, ph: 'X', pid: PID, tid, ts: micros(span.startTime), dur: Math.round(span.duration[0] * 1e9 + span.duration[1]) / 1e3, args });
      for (const event of span.events) {
        if (event.name !== EVENT.exception) continue;
        events.push({ name: `exception: ${String(event.attributes?.[ATTR.exceptionMessage])}`, cat: 'exception', ph: 'i', s: 't', pid: PID, tid, ts: micros(event.time), args: { ...event.attributes } });
      }
    }
    for (const record of trace.logs) {
      const tid = threads.bySpan.get(record.spanContext?.spanId ?? '') ?? first;
      const args = { ...record.attributes, severity: record.severityText, body: bodyText(record) };
      events.push({ name: logLine(record), cat: 'log', ph: 'i', s: 't', pid: PID, tid, ts: micros(record.hrTime), args });
    }
    for (const metric of trace.metrics) events.push(this.metric(metric, micros(hrTime(metric.time)), threads.bySpan.get(metric.spanContext?.spanId ?? '') ?? first));
    return events.map((event) => `${this.written++ === 0 ? '' : ','}\n${JSON.stringify(event)}`).join('');
  }

  /** Gauges as counter tracks (a delta moves the last value, as statsd does); other metrics as instant events. */
  private metric({ point }: GuestMetric, ts: number, tid: number): TraceEvent {
    if (point.type === 'g') {
      const value = point.delta ? (this.gauges.get(point.name) ?? 0) + point.value : point.value;
      this.gauges.set(point.name, value);
      return { name: point.name, cat: 'metric', ph: 'C', pid: PID, ts, args: { value } };
    }
    const value = point.member ?? point.value;
    const args: Record<string, unknown> = { type: point.type, value };
    if (point.sampleRate < 1) args.sample_rate = point.sampleRate;
    if (point.tags.length > 0) args.tags = tagsText(point.tags);
    return { name: `${point.name} ${point.type} ${value}`, cat: 'metric', ph: 'i', s: 't', pid: PID, tid, ts, args };
  }

  /**
   * Threads for one trace: its spans by start (longest first on a tie), each on the first thread
   * where it nests inside what is still open there, the invocation bar first of all.
   */
  private threads(trace: TraceBatch, summary: TraceSummary, micros: (time: HrTime) => number) {
    type Interval = { id: string; start: number; end: number };
    const spans: Interval[] = trace.spans.map((span) => ({ id: span.spanContext().spanId, start: micros(span.startTime), end: micros(span.endTime) }));
    // The invocation covers its spans, whatever the rounding of their times.
    const invocation: Interval = {
      id: '',
      start: Math.min(micros(hrTime(summary.startTime)), ...spans.map((s) => s.start)),
      end: Math.max(micros(hrTime(summary.endTime)), ...spans.map((s) => s.end)),
    };
    const intervals = [invocation, ...spans];
    intervals.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
    const open: Interval[][] = [];
    const tids: number[] = [];
    const bySpan = new Map<string, number>();
    for (const interval of intervals) {
      let track = open.findIndex((stack) => {
        while (stack.length > 0 && stack[stack.length - 1]!.end <= interval.start) stack.pop();
        return stack.length === 0 || stack[stack.length - 1]!.end >= interval.end;
      });
      if (track < 0) {
        track = open.push([]) - 1;
        tids.push(this.nextTid++);
      }
      open[track]!.push(interval);
      bySpan.set(interval.id, tids[track]!);
    }
    return { tids, bySpan, invocation };
  }
}
