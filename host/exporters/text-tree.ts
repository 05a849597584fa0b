/**
 * A trace as a tree a person reads at a glance, handed to a callback when each trace ends — span
 * names, durations, attributes, the logs and metrics under their span, and the anomaly summary.
 * The callback decides where it goes (a page, a console, a log line), so this runs anywhere;
 * `StdoutExporter` in `wasm-observe/node` is this tree written to the process's stderr.
 *
 * ```ts
 * new Observer({ exporters: [new TextTreeExporter({ write: (text) => (pre.textContent += text) })] })
 * ```
 */
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ATTR, EVENT } from '../trace/vocabulary.ts';
import { countsText } from '../trace/anomalies.ts';
import { bodyText, level, millis, pointValue, tagsText } from './conversions.ts';
import { Delivery, wholeTraces, type Destination, type TraceBatch } from './delivery.ts';

export interface TextTreeOptions {
  /**
   * Receives one trace's tree, newline-terminated, when the trace ends. Returning false says it
   * could not be written: the trace's items are counted as dropped.
   */
  write: (text: string) => unknown;
  /** Items kept per trace for the tree; the rest are counted as not shown. Default 5000. */
  maxItems?: number;
  /** ANSI colours. Default false. */
  color?: boolean;
  /** Name in reports. Default `text-tree`. */
  name?: string;
}

type Line = { time: number; text: string };

/** Exported, but noise in a tree a person reads: the name already says which function it is. */
const HIDDEN: ReadonlySet<string> = new Set([ATTR.functionIndex, ATTR.allocationBytes]);

interface Node {
  span: ReadableSpan;
  /** The span's start, to order it among its siblings and the lines beside it. */
  time: number;
  children: Node[];
  lines: Line[];
}

export class TextTreeExporter extends Delivery {
  constructor(options: TextTreeOptions) {
    super(textTree(options));
  }
}

/** The tree as a destination: whole traces, rendered and written when each ends. */
export function textTree(options: TextTreeOptions): Destination {
  const paint = (code: number, text: string): string => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  return {
    name: options.name ?? 'text-tree',
    traces: wholeTraces(options.maxItems ?? 5000, (trace) => options.write(render(trace, paint)) !== false),
  };
}

function render(trace: TraceBatch, paint: (code: number, text: string) => string): string {
  const summary = trace.summary!;
  const out: string[] = [];
  const duration = formatDuration(summary.endTime - summary.startTime);
  out.push(`${paint(1, `trace ${summary.traceId}`)} ${summary.name} ${paint(2, duration)}`);
  const nodes = new Map<string, Node>();
  for (const span of trace.spans) nodes.set(span.spanContext().spanId, { span, time: millis(span.startTime), children: [], lines: [] });
  const roots: Node[] = [];
  for (const node of nodes.values()) {
    const parent = nodes.get(node.span.parentSpanContext?.spanId ?? '');
    (parent ? parent.children : roots).push(node);
  }
  const orphanLines: Line[] = [];
  const place = (spanId: string | undefined, line: Line) => {
    const node = nodes.get(spanId ?? '');
    (node ? node.lines : orphanLines).push(line);
  };
  for (const record of trace.logs) {
    const color = record.attributes[ATTR.anomaly] !== undefined ? 33 : LEVEL_COLORS[level(record.severityNumber) ?? 'trace'];
    place(record.spanContext?.spanId, { time: millis(record.hrTime), text: `${paint(color, (record.severityText ?? '').padEnd(5))} ${bodyText(record)}` });
  }
  for (const metric of trace.metrics) {
    const p = metric.point;
    const rate = p.sampleRate < 1 ? ` @${p.sampleRate}` : '';
    const tags = p.tags.length > 0 ? ` ${tagsText(p.tags)}` : '';
    place(metric.spanContext?.spanId, { time: metric.time, text: `${paint(36, 'METRIC')} ${p.name} ${p.type} ${pointValue(p)}${rate}${tags}` });
  }
  for (const line of orphanLines.sort(byTime)) out.push(`│ ${line.text}`);
  roots.sort(byTime).forEach((node, i) => renderNode(node, '', i === roots.length - 1, out, paint));
  if (Object.keys(summary.anomalies).length > 0) out.push(paint(33, `anomalies: ${countsText(summary.anomalies)}`));
  if (summary.error !== undefined) out.push(paint(31, `error: ${summary.error}`));
  if (trace.notHeld > 0) out.push(paint(2, `(${trace.notHeld} spans, logs and metrics not shown)`));
  return out.join('\n') + '\n';
}

function renderNode(node: Node, prefix: string, last: boolean, out: string[], paint: (code: number, text: string) => string): void {
  const { span } = node;
  const error = span.status.code === SpanStatusCode.ERROR;
  const name = paint(error ? 31 : 1, span.name);
  const attrs = Object.entries(span.attributes)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  const status = error ? ` ${paint(31, `ERROR ${span.status.message ?? ''}`.trim())}` : '';
  out.push(`${prefix}${last ? '└─' : '├─'} ${name} ${paint(2, formatDuration(millis(span.duration)))}${status}${attrs ? ` ${attrs}` : ''}`);
  const inner = prefix + (last ? '   ' : '│  ');
  for (const event of span.events) {
    if (event.name === EVENT.exception) out.push(`${inner}│ ${paint(31, 'EXCEPTION')} ${String(event.attributes?.[ATTR.exceptionMessage])}`);
  }
  const items: (Line | Node)[] = [...node.lines, ...node.children].sort(byTime);
  const lastChild = items.findLastIndex((item) => 'span' in item);
  items.forEach((item, i) => {
    if ('span' in item) renderNode(item, inner, i === lastChild, out, paint);
    else out.push(`${inner}${lastChild > i ? '│ ' : '  '}${item.text}`.replace(/ +$/, ''));
  });
}

/** ANSI colours of log levels: errors red, warnings yellow, info green, the rest dim. */
const LEVEL_COLORS = { error: 31, warn: 33, info: 32, debug: 2, trace: 2 } as const;

function formatDuration(milliseconds: number): string {
  if (milliseconds < 1) return `${(milliseconds * 1000).toFixed(1)}µs`;
  if (milliseconds < 1000) return `${milliseconds.toFixed(2)}ms`;
  return `${(milliseconds / 1000).toFixed(2)}s`;
}

function byTime(a: { time: number }, b: { time: number }): number {
  return a.time - b.time;
}
