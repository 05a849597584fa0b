/**
 * Guest log records as Datadog logs, correlated with their trace the way dd-trace's log
 * injection does it: `dd.trace_id` / `dd.span_id` (decimal, the 64-bit ids the agent received)
 * and `dd.service` / `dd.env` / `dd.version`. They go to the HTTP log intake (agentless, needs an
 * API key) or as JSON lines to a file or stream the agent tails.
 */
import { hostname } from 'node:os';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { DATADOG } from '../trace/vocabulary.ts';
import { LineWriter } from './line-writer.ts';
import { send, httpTarget, type HttpTarget } from './http.ts';
import { IN_PLACE, type QueueOptions, type Route } from './delivery.ts';
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
    [DATADOG.logService]: context.service,
  };
  if (context.env !== undefined) entry[DATADOG.logEnv] = context.env;
  if (context.version !== undefined) entry[DATADOG.logVersion] = context.version;
  if (record.spanContext) {
    entry[DATADOG.logTraceId] = ddId(record.spanContext.traceId).toString();
    entry[DATADOG.logSpanId] = ddId(record.spanContext.spanId).toString();
    entry[DATADOG.logOtelTraceId] = record.spanContext.traceId;
  }
  return entry;
}

/** Where Datadog log entries go: the HTTP intake (batched, retried) or JSON lines. */
export function datadogLogs(options: DatadogLogsOptions, context: LogContext) {
  const prepare = (record: ReadableLogRecord) => toDatadogLog(record, context);
  if (options.url !== undefined) {
    const target: HttpTarget = httpTarget(options.url);
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (options.apiKey) headers['DD-API-KEY'] = options.apiKey;
    const route: Route<ReadableLogRecord, Record<string, unknown>> = {
      prepare,
      send: async (batch) => void (await send(target, 'POST', headers, JSON.stringify(batch), 10_000)),
      // The v2 intake takes at most 1000 entries per request.
      batch: { maxExportBatchSize: 1000, ...options.queue },
      retry: options.queue?.retry ?? {},
    };
    return { route, close: () => {}, writeError: () => undefined };
  }
  const out = new LineWriter(options.path ?? '-', 2);
  const route: Route<ReadableLogRecord, Record<string, unknown>> = {
    prepare,
    send: (batch) => out.write(batch.map((entry) => `${JSON.stringify(entry)}\n`).join('')),
    // Written in place as each record arrives.
    batch: IN_PLACE,
  };
  return { route, close: () => out.close(), writeError: () => out.error };
}
