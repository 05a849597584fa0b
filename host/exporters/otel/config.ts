/**
 * OTLP destination settings, from options in code and the standard environment variables
 * (https://opentelemetry.io/docs/specs/otel/protocol/exporter/). Resolved here, from the env map
 * the caller passes, and handed to the official exporters as explicit options, so a test or an
 * embedding program can configure two exporters differently in one process.
 */
import { parseKeyPairsIntoRecord } from '@opentelemetry/core';
import type { OtelPipelineOptions } from './pipeline.ts';

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];
export type Signal = 'traces' | 'logs' | 'metrics';
export const SIGNALS: readonly Signal[] = ['traces', 'logs', 'metrics'];

export interface OtlpSignalConfig {
  protocol: OtlpProtocol;
  /** The full URL for HTTP (`…/v1/traces`); `scheme://host:port` for gRPC. */
  url: string;
  headers: Record<string, string>;
  timeoutMillis: number;
  compression: 'gzip' | 'none';
}

/** An OTLP exporter's options. `OtlpExporter` reads what they leave unset from the standard variables (see its `env`). */
export interface OtlpOptions extends Pick<OtelPipelineOptions, 'batch' | 'metricIntervalMs'> {
  /** Base endpoint; `/v1/<signal>` is appended for HTTP. Default `http://localhost:4318` (4317 for gRPC). */
  endpoint?: string;
  /** Full per-signal URLs, used as given. */
  endpoints?: Partial<Record<Signal, string>>;
  /** Default http/protobuf. */
  protocol?: OtlpProtocol;
  /** Sent with every request (an API key, for example), over the variables' headers. */
  headers?: Record<string, string>;
  /** Per request. Default 10 000 ms. */
  timeoutMillis?: number;
  /** Signals to send. Default all three (`OtlpExporter`: those whose OTEL_<SIGNAL>_EXPORTER is unset or names `otlp`). */
  signals?: Signal[];
  /** A vendor's endpoint and auth header, filled from its env variables. */
  preset?: PresetName;
}

type Env = Record<string, string | undefined>;

export function resolveOtlp(options: OtlpOptions, env: Env): Record<Signal, OtlpSignalConfig | undefined> {
  const preset = options.preset === undefined ? undefined : PRESETS[options.preset](env);
  const resolve = (signal: Signal): OtlpSignalConfig | undefined => {
    const S = signal.toUpperCase();
    // Unless the options name the signals, those whose OTEL_<SIGNAL>_EXPORTER list is unset or names `otlp`.
    const named = exportersNamed(env, signal);
    if (!(options.signals?.includes(signal) ?? (named.length === 0 || named.includes('otlp')))) return undefined;
    const read = (name: string): string | undefined => nonEmpty(env[`OTEL_EXPORTER_OTLP_${S}_${name}`]) ?? nonEmpty(env[`OTEL_EXPORTER_OTLP_${name}`]);
    const protocol = options.protocol ?? protocolFrom(read('PROTOCOL'));
    const base = options.endpoint ?? preset?.endpoint;
    const url =
      options.endpoints?.[signal] ??
      (base === undefined ? nonEmpty(env[`OTEL_EXPORTER_OTLP_${S}_ENDPOINT`]) : signalUrl(base, signal, protocol)) ??
      signalUrl(nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT) ?? (protocol === 'grpc' ? 'http://localhost:4317' : 'http://localhost:4318'), signal, protocol);
    const headers = {
      ...parseKeyPairsIntoRecord(env.OTEL_EXPORTER_OTLP_HEADERS),
      ...parseKeyPairsIntoRecord(env[`OTEL_EXPORTER_OTLP_${S}_HEADERS`]),
      ...preset?.headers,
      ...(signal === 'metrics' ? preset?.metricHeaders : undefined),
      ...options.headers,
    };
    const timeout = options.timeoutMillis ?? millis(read('TIMEOUT')) ?? 10_000;
    const compression = read('COMPRESSION') === 'gzip' ? 'gzip' : 'none';
    return { protocol, url, headers, timeoutMillis: timeout > 0 ? timeout : 10_000, compression };
  };
  return { traces: resolve('traces'), logs: resolve('logs'), metrics: resolve('metrics') };
}

/** The exporters OTEL_<SIGNAL>_EXPORTER names for a signal (a comma-separated list); none when unset. */
export function exportersNamed(env: Env, signal: Signal): string[] {
  return (env[`OTEL_${signal.toUpperCase()}_EXPORTER`] ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
}

/** A timeout variable's milliseconds; undefined unless it is a positive number. */
export function millis(text: string | undefined): number | undefined {
  const ms = Number(text);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

function protocolFrom(value: string | undefined): OtlpProtocol {
  if (value === undefined) return 'http/protobuf';
  if (!(OTLP_PROTOCOLS as readonly string[]).includes(value)) throw new Error(`unknown OTLP protocol '${value}' (known: ${OTLP_PROTOCOLS.join(', ')})`);
  return value as OtlpProtocol;
}

/** HTTP endpoints get the signal path; gRPC takes the base endpoint as it is. */
function signalUrl(base: string, signal: Signal, protocol: OtlpProtocol): string {
  return protocol === 'grpc' ? base : `${base.replace(/\/+$/, '')}/v1/${signal}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === '' ? undefined : trimmed;
}

interface Preset {
  endpoint: string;
  headers: Record<string, string>;
  metricHeaders?: Record<string, string>;
}

/**
 * Vendors that take OTLP directly, keyed by the name `--otlp-preset` takes. Each reads its API
 * key from the variable its own documentation uses.
 */
export const PRESETS = {
  /** HONEYCOMB_API_KEY; HONEYCOMB_API_ENDPOINT for the EU region; HONEYCOMB_METRICS_DATASET for metrics. */
  honeycomb(env: Env): Preset {
    const key = required(env, 'HONEYCOMB_API_KEY', 'honeycomb');
    const dataset = nonEmpty(env.HONEYCOMB_METRICS_DATASET) ?? nonEmpty(env.HONEYCOMB_DATASET);
    return {
      endpoint: nonEmpty(env.HONEYCOMB_API_ENDPOINT) ?? 'https://api.honeycomb.io',
      headers: { 'x-honeycomb-team': key },
      // Metrics go to a dataset named by header; without one Honeycomb files them under unknown_metrics.
      metricHeaders: dataset === undefined ? undefined : { 'x-honeycomb-dataset': dataset },
    };
  },
  /** LS_ACCESS_TOKEN (or LIGHTSTEP_ACCESS_TOKEN). Lightstep is now ServiceNow Cloud Observability. */
  lightstep(env: Env): Preset {
    const token = nonEmpty(env.LS_ACCESS_TOKEN) ?? required(env, 'LIGHTSTEP_ACCESS_TOKEN', 'lightstep');
    return { endpoint: 'https://ingest.lightstep.com', headers: { 'lightstep-access-token': token } };
  },
} satisfies Record<string, (env: Env) => Preset>;

export type PresetName = keyof typeof PRESETS;

function required(env: Env, name: string, preset: string): string {
  const value = nonEmpty(env[name]);
  if (value === undefined) throw new Error(`the ${preset} preset needs ${name}`);
  return value;
}

/** OTEL_RESOURCE_ATTRIBUTES (`k=v,k2=v2`, values percent-encoded), as resource attributes. */
export function resourceAttributesFromEnv(env: Env): Record<string, string> {
  return parseKeyPairsIntoRecord(env.OTEL_RESOURCE_ATTRIBUTES);
}
