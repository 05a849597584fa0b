/**
 * Conversions more than one exporter makes, written once: times, log bodies and severities,
 * metric values and tags as text.
 */
import type { HrTime } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { StatsdPoint } from '../trace/statsd.ts';
import { tagText, type Tag } from '../trace/tags.ts';

/** Milliseconds (since the epoch, or elapsed), with their fraction. */
export function millis([seconds, nanos]: HrTime): number {
  return seconds * 1000 + nanos / 1e6;
}

/** A log record's body as text: a string as is, anything else as JSON. */
export function bodyText(record: ReadableLogRecord): string {
  return typeof record.body === 'string' ? record.body : JSON.stringify(record.body);
}

/** A log record on one line, as an annotation or an instant event shows it: `WARN template cache miss`. */
export function logLine(record: ReadableLogRecord): string {
  return `${record.severityText ?? 'LOG'} ${bodyText(record)}`;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

/** OpenTelemetry's severity ranges: 1–4 trace, 5–8 debug, 9–12 info, 13–16 warn, 17 and up error; 0 is unspecified. */
export function level(severity: number | undefined): (typeof LEVELS)[number] | undefined {
  return severity ? LEVELS[Math.min(Math.floor((severity - 1) / 4), 4)] : undefined;
}

/** A point's value as statsd writes it: a set's member, a gauge change with its sign (`+3`), else the number. */
export function pointValue(point: StatsdPoint): string {
  if (point.member !== undefined) return point.member;
  return point.delta && point.value >= 0 ? `+${point.value}` : String(point.value);
}

/** Tags as one `k:v,k2` text. */
export function tagsText(tags: readonly Tag[]): string {
  return tags.map(tagText).join(',');
}
