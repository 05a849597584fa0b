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
import { httpSender } from './http.ts';
import { IN_PLACE, type BatchOptions, type Route } from './delivery.ts';
import type { RetryPolicy } from './retry.ts';
import { ddId } from './datadog-span.ts';
import { bodyText, level, millis } from './conversions.ts';

export interface DatadogLogsOptions {
  /** HTTP intake URL, e.g. `https://http-intake.logs.datadoghq.com/api/v2/logs`. */
  url?: string;
  /** Sent as DD-API-KEY to the intake. */
  apiKey?: string;
  /** JSON lines instead of HTTP: a file to append to, or `-` for stderr. */
  path?: string;
  /** For the intake: entries queued and sent per request at most (default 2048 and 1000), and the backoff. */
  batch?: BatchOptions;
  retry?: RetryPolicy;
}

export interface LogContext {
  service: string;
  env?: string;
  version?: string;
  /** `k:v` tags for `ddtags`. */
  tags: string[];
}

function toDatadogLog(record: ReadableLogRecord, context: LogContext): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    ...record.attributes,
    message: bodyText(record),
    // Datadog's statuses are OpenTelemetry's level names.
    status: level(record.severityNumber) ?? 'info',
    timestamp: Math.floor(millis(record.hrTime)),
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

/** Where Datadog log entries go: the HTTP intake (batched, retried), or JSON lines to `out`, written in place as each record arrives. */
export function datadogLogs(options: DatadogLogsOptions, context: LogContext): { route: Route<ReadableLogRecord, object>; out?: LineWriter } {
  const prepare = (record: ReadableLogRecord) => toDatadogLog(record, context);
  if (options.url === undefined) {
    const out = new LineWriter(options.path ?? '-', 2);
    return { out, route: { prepare, send: (batch) => out.write(batch.map((entry) => `${JSON.stringify(entry)}\n`).join('')), batch: IN_PLACE } };
  }
  const post = httpSender(options.url, '', 'POST', { 'Content-Type': 'application/json', ...(options.apiKey ? { 'DD-API-KEY': options.apiKey } : {}) });
  // The v2 intake takes at most 1000 entries per request.
  const batch = { maxExportBatchSize: 1000, ...options.batch };
  return { route: { prepare, send: (entries) => post(JSON.stringify(entries)), batch, retry: options.retry } };
}
