/**
 * What the trace builder hands to exporters. Spans and log records are OpenTelemetry's own
 * `ReadableSpan` / `ReadableLogRecord`, so OpenTelemetry processors and exporters take them as
 * they are; metrics stay statsd points (each exporter aggregates them its own way) linked to the
 * span that was innermost when the guest sent them.
 */
import type { SpanContext } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { AnomalyKind } from '../events.ts';
import type { StatsdPoint } from './statsd.ts';
import type { SpanRef } from './records.ts';

export class GuestMetric {
  /** The span the metric belongs to (set when delivered); undefined when no span was open. */
  ref: SpanRef | undefined;
  constructor(
    readonly point: StatsdPoint,
    /** Epoch milliseconds. */
    readonly time: number,
    readonly resource: Resource,
  ) {}

  get spanContext(): SpanContext | undefined {
    return this.ref?.context;
  }
}

/** One invocation's totals, delivered when its trace finishes. */
export interface TraceSummary {
  readonly traceId: string;
  readonly name: string;
  /** Epoch milliseconds. */
  readonly startTime: number;
  readonly endTime: number;
  readonly spans: number;
  readonly logs: number;
  readonly metrics: number;
  /** How often each kind of bad input occurred in this trace. */
  readonly anomalies: Readonly<Partial<Record<AnomalyKind, number>>>;
  /** Tags and memory growth that arrived while no span was open. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** The trap or exception that ended the invocation, if any. */
  readonly error: string | undefined;
}

/** Where finished telemetry goes. Every method is synchronous and must not throw. */
export interface TelemetrySink {
  onSpan(span: ReadableSpan): void;
  onLog(record: ReadableLogRecord): void;
  onMetric(metric: GuestMetric): void;
  onTraceEnd(summary: TraceSummary): void;
}
