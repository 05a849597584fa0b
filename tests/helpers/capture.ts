/** An exporter that keeps what it is handed, for tests that read spans, logs and metrics back directly. */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { TelemetryExporter } from '../../host/exporters/exporter.ts';
import type { GuestMetric } from '../../host/trace/model.ts';

export interface Capture extends TelemetryExporter {
  readonly spans: ReadableSpan[];
  readonly logs: ReadableLogRecord[];
  readonly metrics: GuestMetric[];
}

export function capture(name = 'capture'): Capture {
  const spans: ReadableSpan[] = [];
  const logs: ReadableLogRecord[] = [];
  const metrics: GuestMetric[] = [];
  return {
    name,
    spans,
    logs,
    metrics,
    onSpan: (span) => void spans.push(span),
    onLog: (log) => void logs.push(log),
    onMetric: (metric) => void metrics.push(metric),
    onTraceEnd: () => {},
    forceFlush: async () => {},
    shutdown: async () => {},
    stats: () => ({ exported: 0, dropped: 0 }),
  };
}
