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
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { GuestMetric, TraceSummary } from '../trace/model.ts';
import { ATTR } from '../trace/vocabulary.ts';
import { tagText } from '../trace/tags.ts';
import type { ExportStats, TelemetryExporter } from './exporter.ts';

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
  children: Node[];
  lines: Line[];
}

export class TextTreeExporter implements TelemetryExporter {
  readonly name: string;
  private readonly write: (text: string) => unknown;
  private readonly maxItems: number;
  private readonly color: boolean;
  private spans: ReadableSpan[] = [];
  private lines = new Map<string, Line[]>();
  private kept = 0;
  private notShown = 0;
  private readonly counts: ExportStats = { exported: 0, dropped: 0 };

  constructor(options: TextTreeOptions) {
    this.name = options.name ?? 'text-tree';
    this.write = options.write;
    this.maxItems = options.maxItems ?? 5000;
    this.color = options.color ?? false;
  }

  onSpan(span: ReadableSpan): void {
    if (this.room()) this.spans.push(span);
  }

  onLog(record: ReadableLogRecord): void {
    if (!this.room()) return;
    const level = (record.severityText ?? '').padEnd(5);
    const anomaly = record.attributes['wasm_observe.anomaly'] !== undefined;
    const text = `${this.paint(anomaly ? 33 : levelColor(record.severityNumber ?? 0), level)} ${String(record.body)}`;
    this.addLine(record.spanContext?.spanId, ms(record.hrTime), text);
  }

  onMetric(metric: GuestMetric): void {
    if (!this.room()) return;
    const p = metric.point;
    const value = p.member ?? `${p.delta && p.value >= 0 ? '+' : ''}${p.value}`;
    const rate = p.sampleRate < 1 ? ` @${p.sampleRate}` : '';
    const tags = p.tags.length > 0 ? ` ${p.tags.map(tagText).join(',')}` : '';
    this.addLine(metric.spanContext?.spanId, metric.time, `${this.paint(36, 'METRIC')} ${p.name} ${p.type} ${value}${rate}${tags}`);
  }

  onTraceEnd(summary: TraceSummary): void {
    const out: string[] = [];
    const duration = formatDuration(summary.endTime - summary.startTime);
    out.push(`${this.paint(1, `trace ${summary.traceId}`)} ${summary.name} ${this.paint(2, duration)}`);
    const nodes = new Map<string, Node>();
    for (const span of this.spans) nodes.set(span.spanContext().spanId, { span, children: [], lines: [] });
    const roots: Node[] = [];
    for (const node of nodes.values()) {
      const parent = nodes.get(node.span.parentSpanContext?.spanId ?? '');
      (parent ? parent.children : roots).push(node);
    }
    const orphanLines: Line[] = [];
    for (const [spanId, lines] of this.lines) {
      const node = nodes.get(spanId);
      (node ? node.lines : orphanLines).push(...lines);
    }
    for (const line of sortByTime(orphanLines)) out.push(`│ ${line.text}`);
    sortNodes(roots).forEach((node, i) => this.renderNode(node, '', i === roots.length - 1, out));
    const anomalies = Object.entries(summary.anomalies);
    if (anomalies.length > 0) {
      out.push(this.paint(33, `anomalies: ${anomalies.map(([k, n]) => `${k} ×${n}`).join(', ')}`));
    }
    if (summary.error !== undefined) out.push(this.paint(31, `error: ${summary.error}`));
    if (this.notShown > 0) out.push(this.paint(2, `(${this.notShown} spans, logs and metrics not shown)`));
    if (this.write(out.join('\n') + '\n') === false) this.counts.dropped += this.kept;
    else this.counts.exported += this.kept;
    this.spans = [];
    this.lines = new Map();
    this.kept = 0;
    this.notShown = 0;
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}

  stats(): ExportStats {
    return { ...this.counts };
  }

  private room(): boolean {
    if (this.kept >= this.maxItems) {
      this.notShown++;
      this.counts.dropped++;
      return false;
    }
    this.kept++;
    return true;
  }

  private addLine(spanId: string | undefined, time: number, text: string): void {
    const key = spanId ?? '';
    let lines = this.lines.get(key);
    if (lines === undefined) this.lines.set(key, (lines = []));
    lines.push({ time, text });
  }

  private renderNode(node: Node, prefix: string, last: boolean, out: string[]): void {
    const { span } = node;
    const error = span.status.code === SpanStatusCode.ERROR;
    const name = this.paint(error ? 31 : 1, span.name);
    const attrs = Object.entries(span.attributes)
      .filter(([k]) => !HIDDEN.has(k))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(' ');
    const status = error ? ` ${this.paint(31, `ERROR ${span.status.message ?? ''}`.trim())}` : '';
    out.push(`${prefix}${last ? '└─' : '├─'} ${name} ${this.paint(2, formatDuration(ms(span.duration)))}${status}${attrs ? ` ${attrs}` : ''}`);
    const inner = prefix + (last ? '   ' : '│  ');
    for (const event of span.events) {
      if (event.name === 'exception') out.push(`${inner}│ ${this.paint(31, 'EXCEPTION')} ${String(event.attributes?.['exception.message'])}`);
    }
    type Item = { time: number; line?: Line; node?: Node };
    const items: Item[] = [
      ...node.lines.map((line) => ({ time: line.time, line })),
      ...node.children.map((child) => ({ time: ms(child.span.startTime), node: child })),
    ].sort((a, b) => a.time - b.time);
    const lastChild = items.findLastIndex((item) => item.node !== undefined);
    items.forEach((item, i) => {
      if (item.line) out.push(`${inner}${lastChild > i ? '│ ' : '  '}${item.line.text}`.replace(/ +$/, ''));
      else this.renderNode(item.node!, inner, i === lastChild, out);
    });
  }

  private paint(code: number, text: string): string {
    return this.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  }
}

function levelColor(severity: number): number {
  if (severity >= 17) return 31;
  if (severity >= 13) return 33;
  if (severity >= 9) return 32;
  return 2;
}

function ms([seconds, nanos]: readonly [number, number]): number {
  return seconds * 1000 + nanos / 1e6;
}

function formatDuration(milliseconds: number): string {
  if (milliseconds < 1) return `${(milliseconds * 1000).toFixed(1)}µs`;
  if (milliseconds < 1000) return `${milliseconds.toFixed(2)}ms`;
  return `${(milliseconds / 1000).toFixed(2)}s`;
}

function sortByTime(lines: Line[]): Line[] {
  return lines.sort((a, b) => a.time - b.time);
}

function sortNodes(nodes: Node[]): Node[] {
  return nodes.sort((a, b) => ms(a.span.startTime) - ms(b.span.startTime));
}
