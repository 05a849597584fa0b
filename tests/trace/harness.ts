/**
 * Feeds events straight into a TraceBuilder (no module, no instance, no exporter) and reads back
 * the spans, logs and metrics it hands on, as a tree of names.
 */
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { TraceBuilder } from '../../host/trace/builder.ts';
import type { GuestMetric, TelemetrySink, TraceSummary } from '../../host/trace/model.ts';
import { dispatch, type GuestEvent } from '../../host/events.ts';

/** An event without its time: the harness stamps times itself. */
export type Step = GuestEvent extends infer E ? (E extends GuestEvent ? Omit<E, 'time'> : never) : never;

export interface Built {
  spans: ReadableSpan[];
  logs: ReadableLogRecord[];
  metrics: GuestMetric[];
  summary: TraceSummary;
  /** The span a log record or span hangs under, by id. */
  byId: Map<string, ReadableSpan>;
}

export const enter = (name: string): Step => ({ type: 'span-enter', name });
export const exit: Step = { type: 'span-exit' };
export const fenter = (index: number): Step => ({ type: 'function-enter', index });
export const fexit = (index: number): Step => ({ type: 'function-exit', index });
export const log = (message: string, level = 3): Step => ({ type: 'log', level, message });
export const tags = (text: string): Step => ({ type: 'span-tags', tags: text });

/**
 * Runs `steps` as one trace. Function `i` is named `f<i>`. Each step takes `stepMicros` (a
 * number, or a function of the step's position for uneven timing).
 */
export function build(
  steps: readonly Step[],
  { minSpanDurationMicros = 0, stepMicros = 1 as number | ((i: number) => number), error = undefined as unknown } = {},
): Built {
  const out: Omit<Built, 'summary' | 'byId'> = { spans: [], logs: [], metrics: [] };
  let summary: TraceSummary | undefined;
  const sink: TelemetrySink = {
    onSpan: (s) => out.spans.push(s),
    onLog: (l) => out.logs.push(l),
    onMetric: (m) => out.metrics.push(m),
    onTraceEnd: (s) => (summary = s),
  };
  const builder = new TraceBuilder(sink, {
    minSpanDurationMicros,
    functionName: (i) => `f${i}`,
    resource: resourceFromAttributes({}),
    scope: { name: 'test' },
  });
  let time = 1_700_000_000_000;
  builder.start('test', time);
  steps.forEach((step, i) => {
    time += (typeof stepMicros === 'number' ? stepMicros : stepMicros(i)) / 1000;
    dispatch(builder, { ...step, time } as GuestEvent);
  });
  builder.finish(time + 0.001, error);
  const byId = new Map(out.spans.map((s) => [s.spanContext().spanId, s]));
  return { ...out, summary: summary!, byId };
}

/** The tree as text, children in start order, each guest log as `"message"` under its span (the host's own anomaly records left out). */
export function tree({ spans, logs, byId }: Built): string {
  const children = new Map<string | undefined, { start: number; text: () => string }[]>();
  const add = (parent: string | undefined, start: number, text: () => string) =>
    (children.get(parent) ?? children.set(parent, []).get(parent)!).push({ start, text });
  const key = (id: string | undefined) => (id !== undefined && byId.has(id) ? id : undefined);
  const ms = (t: [number, number]) => t[0] * 1e3 + t[1] / 1e6;
  for (const s of spans) {
    const id = s.spanContext().spanId;
    add(key(s.parentSpanContext?.spanId), ms(s.startTime), () => render(id, s.name));
  }
  for (const l of logs) if (!String(l.body).startsWith('wasm-observe')) add(key(l.spanContext?.spanId), ms(l.hrTime), () => JSON.stringify(l.body));
  const render = (id: string, name: string): string => {
    const inner = (children.get(id) ?? []).sort((a, b) => a.start - b.start).map((c) => c.text());
    return inner.length ? `${name}(${inner.join(',')})` : name;
  };
  return (children.get(undefined) ?? [])
    .sort((a, b) => a.start - b.start)
    .map((c) => c.text())
    .join(',');
}

/** The ids of a span and every span under it in the exported tree. */
export function subtree(built: Built, root: ReadableSpan): Set<string> {
  const ids = new Set([root.spanContext().spanId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of built.spans) {
      const parent = s.parentSpanContext?.spanId;
      const id = s.spanContext().spanId;
      if (parent !== undefined && ids.has(parent) && !ids.has(id)) {
        ids.add(id);
        grew = true;
      }
    }
  }
  return ids;
}
