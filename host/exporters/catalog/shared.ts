/** Flags more than one exporter reads, declared once. */
import type { Flag } from '../flags.ts';

export const OUT: Flag = { type: 'string', arg: '<file>', exclusive: true, help: 'file for otlp-jsonl and perfetto (default: standard output for\notlp-jsonl, trace.json for perfetto)' };

export const STATSD_URL: Flag = {
  type: 'string',
  arg: '<url>',
  help: 'udp://host:port for statsd and datadog metrics (default $DD_DOGSTATSD_URL\nor udp://127.0.0.1:8125)',
};

export const STATSD_TRACE_TAGS: Flag = { type: 'boolean', help: 'add trace_id/span_id tags (default: on for dogstatsd); --no-statsd-trace-tags' };
