/**
 * `datadog`: guest spans to the Datadog agent's trace intake (`PUT /v0.4/traces`, msgpack, as
 * dd-trace sends them), metrics as DogStatsD to the agent, logs correlated by `dd.trace_id`.
 * Configured like the Dylibso Datadog adapter (agent URL, service name, default tags, trace
 * type, per-trace metadata) and by the variables dd-trace reads: DD_TRACE_AGENT_URL (else
 * DD_AGENT_HOST / DD_TRACE_AGENT_PORT), DD_SERVICE, DD_ENV, DD_VERSION, DD_TAGS,
 * DD_DOGSTATSD_URL (else DD_AGENT_HOST / DD_DOGSTATSD_PORT), DD_API_KEY / DD_SITE for logs.
 *
 * Spans are held per trace until it ends (the agent wants whole traces; a long trace is sent in
 * chunks of `maxChunkSpans`), then queued, batched and retried with backoff, all by the delivery
 * layer.
 */
import { encode } from '@msgpack/msgpack';
import type { TraceSummary } from '../trace/model.ts';
import { VERSION } from '../trace/vocabulary.ts';
import { Delivery, Tally, type BatchOptions, type TraceBatch } from './delivery.ts';
import type { RetryPolicy } from './retry.ts';
import { httpSender } from './http.ts';
import { statsdDestination } from './statsd.ts';
import { toChunk, type DatadogMetadata, type DatadogSpan, type DatadogTraceType } from './datadog-span.ts';
import { datadogLogs, type DatadogLogsOptions } from './datadog-logs.ts';

export type { DatadogMetadata, DatadogTraceType } from './datadog-span.ts';

export const DEFAULT_DATADOG_SERVICE = 'default-wasm-service';

export interface DatadogOptions {
  /** `http://host:8126` or `unix:///var/run/datadog/apm.socket`. Default: from DD_* variables, else http://localhost:8126. */
  agentUrl?: string;
  /** Default: DD_SERVICE, else `default-wasm-service`. */
  serviceName?: string;
  /** `env` tag. Default DD_ENV. */
  environment?: string;
  /** `version` tag. Default DD_VERSION. */
  version?: string;
  /** Tags on every span, metric and log, over DD_TAGS (`k:v,k2:v2`). */
  defaultTags?: Record<string, string>;
  /** Default `web`. */
  traceType?: DatadogTraceType;
  /**
   * Metadata for the root span of every trace, or a function of the finished trace that returns
   * it. `setTraceMetadata` adds to it for one trace while that trace is open.
   */
  metadata?: DatadogMetadata | ((summary: TraceSummary) => DatadogMetadata | undefined);
  /** DogStatsD destination (`url`) and options; `false` to not send metrics. */
  statsd?: { url?: string; traceTags?: boolean } | false;
  /** Where logs go. Default: the HTTP intake when DD_API_KEY is set, else JSON lines on stderr. `false`: not sent. */
  logs?: DatadogLogsOptions | false;
  /** Spans queued and sent per request at most. Default 10 000 and 1000. */
  batch?: BatchOptions;
  /** Backoff for failed trace requests. Default: 5 retries, from 1 s. */
  retry?: RetryPolicy;
  /** Spans of one trace held before a partial chunk is sent. Default 1000. */
  maxChunkSpans?: number;
  /** Where to read DD_* variables. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** What dd-trace tells the agent about itself with every payload. */
const AGENT_HEADERS = {
  'Content-Type': 'application/msgpack',
  'Datadog-Meta-Lang': 'nodejs',
  'Datadog-Meta-Lang-Version': process.version,
  'Datadog-Meta-Lang-Interpreter': 'v8',
  'Datadog-Meta-Tracer-Version': `wasm-observe/${VERSION}`,
};

export class DatadogExporter extends Delivery {
  readonly agentUrl: string;
  private readonly perTrace: Map<string, DatadogMetadata>;

  constructor(options: DatadogOptions = {}) {
    const env = options.env ?? process.env;
    const agentUrl = options.agentUrl ?? agentUrlFromEnv(env);
    const service = options.serviceName ?? env.DD_SERVICE ?? DEFAULT_DATADOG_SERVICE;
    const environment = options.environment ?? env.DD_ENV;
    const version = options.version ?? env.DD_VERSION;
    const tags: Record<string, string> = { ...parseDdTags(env.DD_TAGS), ...options.defaultTags };
    if (environment !== undefined) tags.env = environment;
    if (version !== undefined) tags.version = version;
    const tagList = Object.entries(tags).map(([k, v]) => `${k}:${v}`);
    const defaults = { service, type: options.traceType ?? 'web', tags };
    const perTrace = new Map<string, DatadogMetadata>();
    /** A finished trace's metadata: the common metadata under what `setTraceMetadata` gave. */
    const metadataOf = (summary: TraceSummary): DatadogMetadata => {
      const own = perTrace.get(summary.traceId);
      perTrace.delete(summary.traceId);
      return { ...(typeof options.metadata === 'function' ? options.metadata(summary) : options.metadata), ...own };
    };
    const putTraces = httpSender(agentUrl, 'v0.4/traces', 'PUT', AGENT_HEADERS);
    const tally = new Tally();
    const { url = env.DD_DOGSTATSD_URL ?? `udp://${urlHost(env.DD_AGENT_HOST ?? '127.0.0.1')}:${env.DD_DOGSTATSD_PORT ?? 8125}`, traceTags } = options.statsd || {};
    const dogstatsd = { url, dialect: 'dogstatsd' as const, tags: [`service:${service}`, ...tagList], traceTags };
    const statsd = options.statsd === false ? undefined : statsdDestination(dogstatsd, 'datadog', tally);
    const logs = options.logs === false ? undefined : datadogLogs(options.logs ?? logsFromEnv(env), { service, env: environment, version, tags: tagList });
    super({
      name: 'datadog',
      tally,
      // The agent wants whole traces: spans are held until their trace ends (a long one goes in parts).
      traces: {
        hold: ['spans'],
        maxHeld: options.maxChunkSpans ?? 1000,
        parts: true,
        prepare: (trace: TraceBatch) => {
          const metadata = trace.summary && metadataOf(trace.summary);
          return trace.spans.length === 0 ? undefined : toChunk(trace.spans, defaults, metadata);
        },
        weight: (spans: DatadogSpan[]) => spans.length,
        send: (chunks: DatadogSpan[][]) => putTraces(encode(chunks, { useBigInt64: true }), { 'X-Datadog-Trace-Count': String(chunks.length) }),
        batch: { maxQueueSize: 10_000, maxExportBatchSize: 1000, ...options.batch },
        retry: options.retry,
      },
      logs: logs?.route,
      metrics: statsd?.metrics,
      close: statsd?.close,
      out: logs?.out,
    });
    this.agentUrl = agentUrl;
    this.perTrace = perTrace;
  }

  /**
   * Metadata for one trace's root span (resource name, HTTP fields, span kind), by the id
   * `Observer.startTrace` returned; call it before `finishTrace`, e.g. once the response is known.
   */
  setTraceMetadata(traceId: string, metadata: DatadogMetadata): void {
    this.perTrace.set(traceId, { ...this.perTrace.get(traceId), ...metadata });
  }
}

/** The agent URL as dd-trace resolves it. */
function agentUrlFromEnv(env: Record<string, string | undefined>): string {
  if (env.DD_TRACE_AGENT_URL) return env.DD_TRACE_AGENT_URL;
  return `http://${urlHost(env.DD_AGENT_HOST ?? 'localhost')}:${env.DD_TRACE_AGENT_PORT ?? 8126}`;
}

/** DD_AGENT_HOST in a URL: an IPv6 address in brackets. */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** DD_TAGS: `k:v` pairs separated by commas or spaces. */
function parseDdTags(text: string | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of (text ?? '').split(/[,\s]+/)) {
    const colon = part.indexOf(':');
    if (colon > 0) tags[part.slice(0, colon)] = part.slice(colon + 1);
  }
  return tags;
}

function logsFromEnv(env: Record<string, string | undefined>): DatadogLogsOptions {
  if (!env.DD_API_KEY) return { path: '-' };
  return { url: `https://http-intake.logs.${env.DD_SITE ?? 'datadoghq.com'}/api/v2/logs`, apiKey: env.DD_API_KEY };
}
