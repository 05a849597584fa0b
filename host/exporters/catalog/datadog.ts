import { bool, choice, declare, pairs, text } from '../flags.ts';
import type { DatadogOptions } from '../datadog.ts';
import { DATADOG_TRACE_TYPES } from '../datadog-span.ts';
import { STATSD_TRACE_TAGS, STATSD_URL } from './shared.ts';

export const datadog = declare<DatadogOptions>({
  summary: 'the Datadog agent: spans, DogStatsD metrics, correlated logs (reads DD_*)',
  flags: {
    'dd-agent-url': { type: 'string', arg: '<url>', help: 'Datadog agent (default $DD_TRACE_AGENT_URL, $DD_AGENT_HOST:$DD_TRACE_AGENT_PORT)' },
    'dd-service': { type: 'string', arg: '<name>', help: 'service of Datadog spans, metrics and logs (default $DD_SERVICE\nor default-wasm-service)' },
    'dd-trace-type': { type: 'string', arg: '<t>', help: 'web, db, cache or custom (default web)', choices: DATADOG_TRACE_TYPES },
    'dd-tag': { type: 'string', multiple: true, arg: '<k:v>', help: 'tag on every Datadog span, metric and log, repeatable (with $DD_TAGS)' },
    'dd-logs': {
      type: 'string',
      arg: '<file|->',
      help: 'Datadog logs as JSON lines to a file the agent tails (default: the HTTP\nintake when $DD_API_KEY is set, else JSON lines on stderr)',
    },
    'statsd-url': STATSD_URL,
    'statsd-trace-tags': STATSD_TRACE_TAGS,
  },
  options: (flags, env) => {
    const logs = text(flags, 'dd-logs');
    return {
      env,
      agentUrl: text(flags, 'dd-agent-url'),
      serviceName: text(flags, 'dd-service'),
      traceType: choice(flags, 'dd-trace-type', DATADOG_TRACE_TYPES),
      defaultTags: pairs(flags, 'dd-tag', ':'),
      statsd: { url: text(flags, 'statsd-url'), traceTags: bool(flags, 'statsd-trace-tags') },
      logs: logs === undefined ? undefined : { path: logs },
    };
  },
  create: async (options) => new (await import('../datadog.ts')).DatadogExporter(options),
});
