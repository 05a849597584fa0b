/**
 * `datadog`: guest spans to the Datadog agent's trace intake (`PUT /v0.4/traces`, msgpack, as
 * dd-trace sends them), metrics as DogStatsD to the agent, logs correlated by `dd.trace_id`.
 * Configured like the Dylibso Datadog adapter (agent URL, service name, default tags, trace
 * type, per-trace metadata) and by the variables dd-trace reads: DD_TRACE_AGENT_URL (else
 * DD_AGENT_HOST / DD_TRACE_AGENT_PORT), DD_SERVICE, DD_ENV, DD_VERSION, DD_TAGS,
 * DD_DOGSTATSD_URL (else DD_AGENT_HOST / DD_DOGSTATSD_PORT), DD_API_KEY / DD_SITE for logs.
 *
 * Spans are held per trace until it ends (the agent wants whole traces; a long trace is sent in
 * chunks of `maxChunkSpans`), then queued, batched and retried with backoff.
 */
import { encode } from '@msgpack/msgpack';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { VERSION } from '../observer.ts';
import type { GuestMetric, TraceSummary } from '../trace/model.ts';
import type { ExportStats, TelemetryExporter } from './exporter.ts';
import { httpTarget, send } from './http.ts';
import { DeliveryQueue, type QueueOptions } from './queue.ts';
import { StatsdExporter } from './statsd.ts';
import { markRoots, toDatadog, type DatadogMetadata, type DatadogSpan, type DatadogTraceType, type SpanDefaults } from './datadog-span.ts';
import { DatadogLogSink, toDatadogLog, type DatadogLogsOptions, type LogContext } from './datadog-logs.ts';

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
  /** Spans sent per request at most and the trace queue bounds. */
  queue?: QueueOptions;
  /** Spans of one trace held before a partial chunk is sent. Default 1000. */
  maxChunkSpans?: number;
  /** Where to read DD_* variables. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

export class DatadogExporter implements TelemetryExporter {
  readonly name = 'datadog';
  readonly agentUrl: string;
  private readonly defaults: SpanDefaults;
  private readonly traces: DeliveryQueue<DatadogSpan[]>;
  private readonly statsd: StatsdExporter | undefined;
  private readonly logs: DatadogLogSink | undefined;
  private readonly logContext: LogContext;
  private readonly metadata: DatadogOptions['metadata'];
  private readonly perTrace = new Map<string, DatadogMetadata>();
  private readonly open = new Map<string, DatadogSpan[]>();
  private readonly maxChunk: number;
  private closed = false;
  private lateDrops = 0;

  constructor(options: DatadogOptions = {}) {
    const env = options.env ?? process.env;
    this.agentUrl = options.agentUrl ?? agentUrlFromEnv(env);
    const service = options.serviceName ?? env.DD_SERVICE ?? DEFAULT_DATADOG_SERVICE;
    const environment = options.environment ?? env.DD_ENV;
    const version = options.version ?? env.DD_VERSION;
    const tags: Record<string, string> = { ...parseDdTags(env.DD_TAGS), ...options.defaultTags };
    if (environment !== undefined) tags.env = environment;
    if (version !== undefined) tags.version = version;
    this.defaults = { service, type: options.traceType ?? 'web', tags };
    this.metadata = options.metadata;
    this.maxChunk = options.maxChunkSpans ?? 1000;
    const tagList = Object.entries(tags).map(([k, v]) => `${k}:${v}`);

    const target = httpTarget(this.agentUrl, 'v0.4/traces');
    const headers = {
      'Content-Type': 'application/msgpack',
      'Datadog-Meta-Lang': 'nodejs',
      'Datadog-Meta-Lang-Version': process.version,
      'Datadog-Meta-Lang-Interpreter': 'v8',
      'Datadog-Meta-Tracer-Version': `wasm-observe/${VERSION}`,
    };
    this.traces = new DeliveryQueue<DatadogSpan[]>(
      async (chunks) => {
        const body = encode(chunks, { useBigInt64: true });
        await send(target, 'PUT', { ...headers, 'X-Datadog-Trace-Count': String(chunks.length) }, body, 10_000);
      },
      { maxQueueSize: 1000, maxBatchSize: 100, ...options.queue },
      (chunk) => chunk.length,
    );

    if (options.statsd !== false) {
      const url = options.statsd?.url ?? env.DD_DOGSTATSD_URL ?? `udp://${env.DD_AGENT_HOST ?? '127.0.0.1'}:${env.DD_DOGSTATSD_PORT ?? 8125}`;
      this.statsd = new StatsdExporter(
        { url, dialect: 'dogstatsd', tags: [`service:${service}`, ...tagList], traceTags: options.statsd?.traceTags, env },
        'datadog-metrics',
      );
    }
    this.logContext = { service, env: environment, version, tags: tagList };
    if (options.logs !== false) this.logs = new DatadogLogSink(options.logs ?? logsFromEnv(env));
  }

  /**
   * Metadata for one trace's root span (resource name, HTTP fields, span kind), by the id
   * `Observer.startTrace` returned; call it before `finishTrace`, e.g. once the response is known.
   */
  setTraceMetadata(traceId: string, metadata: DatadogMetadata): void {
    this.perTrace.set(traceId, { ...this.perTrace.get(traceId), ...metadata });
  }

  onSpan(span: ReadableSpan): void {
    if (this.closed) {
      this.lateDrops++;
      return;
    }
    const traceId = span.spanContext().traceId;
    let chunk = this.open.get(traceId);
    if (chunk === undefined) this.open.set(traceId, (chunk = []));
    chunk.push(toDatadog(span, this.defaults));
    if (chunk.length >= this.maxChunk) this.sendChunk(traceId, false);
  }

  onLog(record: ReadableLogRecord): void {
    if (this.closed) this.lateDrops++;
    else this.logs?.push(toDatadogLog(record, this.logContext));
  }

  onMetric(metric: GuestMetric): void {
    this.statsd?.onMetric(metric);
  }

  onTraceEnd(summary: TraceSummary): void {
    const common = typeof this.metadata === 'function' ? this.metadata(summary) : this.metadata;
    if (common) this.perTrace.set(summary.traceId, { ...common, ...this.perTrace.get(summary.traceId) });
    this.sendChunk(summary.traceId, true);
    this.statsd?.onTraceEnd(summary);
  }

  async forceFlush(): Promise<void> {
    for (const traceId of [...this.open.keys()]) this.sendChunk(traceId, true);
    await Promise.all([this.traces.flush(), this.statsd?.forceFlush(), this.logs?.flush()]);
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.forceFlush();
    this.closed = true;
    const results = await Promise.allSettled([this.traces.shutdown(), this.statsd?.shutdown(), this.logs?.shutdown()]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  stats(): ExportStats {
    const parts = [this.traces.counts, this.statsd?.stats(), this.logs?.stats()].filter((s) => s !== undefined);
    return {
      exported: parts.reduce((n, s) => n + s.exported, 0),
      dropped: parts.reduce((n, s) => n + s.dropped, 0) + this.lateDrops,
      lastError: parts.map((s) => s.lastError).find((e) => e !== undefined),
      ...(this.logs?.stats().writeError !== undefined && { writeError: this.logs.stats().writeError }),
    };
  }

  private sendChunk(traceId: string, final: boolean): void {
    const chunk = this.open.get(traceId);
    this.open.delete(traceId);
    const metadata = final ? this.perTrace.get(traceId) : undefined;
    if (final) this.perTrace.delete(traceId);
    if (chunk === undefined || chunk.length === 0) return;
    markRoots(chunk, traceId, metadata);
    this.traces.push(chunk);
  }
}

/** The agent URL as dd-trace resolves it. */
export function agentUrlFromEnv(env: Record<string, string | undefined>): string {
  if (env.DD_TRACE_AGENT_URL) return env.DD_TRACE_AGENT_URL;
  const host = env.DD_AGENT_HOST ?? 'localhost';
  return `http://${host.includes(':') ? `[${host}]` : host}:${env.DD_TRACE_AGENT_PORT ?? 8126}`;
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
