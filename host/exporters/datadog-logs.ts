/**
 * Guest log records as Datadog logs, correlated with their trace the way dd-trace's log
 * injection does it: `dd.trace_id` / `dd.span_id` (decimal, the 64-bit ids the agent received)
 * and `dd.service` / `dd.env` / `dd.version`. They go to the HTTP log intake (agentless, needs an
 * API key) or as JSON lines to a file or stream the agent tails.
 */
import { hostname } from 'node:os';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { WriteError, type ExportStats } from './exporter.ts';
import { LineWriter } from './line-writer.ts';
import { send, httpTarget, type HttpTarget } from './http.ts';
import { DeliveryQueue, type QueueOptions } from './queue.ts';
import { ddId } from './datadog-span.ts';

export interface DatadogLogsOptions {
  /** HTTP intake URL, e.g. `https://http-intake.logs.datadoghq.com/api/v2/logs`. */
  url?: string;
  /** Sent as DD-API-KEY to the intake. */
  apiKey?: string;
  /** JSON lines instead of HTTP: a file to append to, or `-` for stderr. */
  path?: string;
  queue?: QueueOptions;
}

export interface LogContext {
  service: string;
  env?: string;
  version?: string;
  /** `k:v` tags for `ddtags`. */
  tags: string[];
}

/** Datadog statuses by OpenTelemetry severity number range. */
function status(severity: number | undefined): string {
  if (severity === undefined || severity === 0) return 'info';
  if (severity >= 17) return 'error';
  if (severity >= 13) return 'warn';
  if (severity >= 9) return 'info';
  if (severity >= 5) return 'debug';
  return 'trace';
}

export function toDatadogLog(record: ReadableLogRecord, context: LogContext): Record<string, unknown> {
  const [seconds, nanos] = record.hrTime;
  const entry: Record<string, unknown> = {
    ...record.attributes,
    message: typeof record.body === 'string' ? record.body : JSON.stringify(record.body),
    status: status(record.severityNumber),
    timestamp: seconds * 1000 + Math.floor(nanos / 1e6),
    service: context.service,
    ddsource: 'wasm',
    ddtags: context.tags.join(','),
    hostname: hostname(),
    'dd.service': context.service,
  };
  if (context.env !== undefined) entry['dd.env'] = context.env;
  if (context.version !== undefined) entry['dd.version'] = context.version;
  if (record.spanContext) {
    entry['dd.trace_id'] = ddId(record.spanContext.traceId).toString();
    entry['dd.span_id'] = ddId(record.spanContext.spanId).toString();
    // The full 128-bit id, for backends that join on the OpenTelemetry form.
    entry['otel.trace_id'] = record.spanContext.traceId;
  }
  return entry;
}

/** Where Datadog log entries go: the HTTP intake (batched, retried) or JSON lines. */
export class DatadogLogSink {
  private readonly queue: DeliveryQueue<Record<string, unknown>> | undefined;
  private readonly out: LineWriter | undefined;
  private readonly counts: ExportStats = { exported: 0, dropped: 0 };

  constructor(options: DatadogLogsOptions) {
    if (options.url !== undefined) {
      const target: HttpTarget = httpTarget(options.url);
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (options.apiKey) headers['DD-API-KEY'] = options.apiKey;
      // The v2 intake takes at most 1000 entries per request.
      this.queue = new DeliveryQueue(
        async (batch) => void (await send(target, 'POST', headers, JSON.stringify(batch), 10_000)),
        { maxBatchSize: 1000, ...options.queue },
      );
    } else {
      this.out = new LineWriter(options.path ?? '-', 2);
    }
  }

  push(entry: Record<string, unknown>): void {
    if (this.queue) {
      this.queue.push(entry);
      return;
    }
    if (this.out!.write(`${JSON.stringify(entry)}\n`)) this.counts.exported++;
    else this.counts.dropped++;
  }

  async flush(): Promise<void> {
    await this.queue?.flush();
  }

  async shutdown(): Promise<void> {
    await this.queue?.shutdown();
    this.out?.close();
    if (this.out?.error !== undefined) throw new WriteError(`datadog logs: cannot write ${this.out.error}`);
  }

  stats(): ExportStats {
    if (this.queue) return this.queue.counts;
    return this.out?.error === undefined ? this.counts : { ...this.counts, writeError: this.out.error };
  }
}
