/**
 * Exporters by name, as the CLI's `--exporter` and the `OTEL_*_EXPORTER` style settings name
 * them. Each factory reads only the options and environment variables it needs, and loads its
 * exporter's module only when chosen: the OTLP, Datadog and Zipkin exporters pull in the OTel
 * SDK, protobuf, gRPC and msgpack, which would otherwise slow every `wasm-observe run`.
 */
import type { TelemetryExporter } from './exporter.ts';
import type { OtlpExporter } from './otlp.ts';
import { PRESETS, SIGNALS, type OtlpProtocol, type PresetName } from './otel/config.ts';
import type { DatadogTraceType } from './datadog-span.ts';
import type { StatsdDialect } from './statsd.ts';

export interface ExporterConfig {
  /** `--out`: the file for file exporters (`-` is standard output). */
  out?: string;
  /** The environment to read conventional variables from. */
  env: Record<string, string | undefined>;
  /** `--otlp-endpoint`: base OTLP endpoint, over OTEL_EXPORTER_OTLP_ENDPOINT. */
  otlpEndpoint?: string;
  /** `--otlp-protocol`, over OTEL_EXPORTER_OTLP_PROTOCOL. */
  otlpProtocol?: OtlpProtocol;
  /** `--otlp-preset honeycomb|lightstep`. */
  otlpPreset?: PresetName;
  /** `--statsd-url udp://host:port`, over DD_DOGSTATSD_URL. */
  statsdUrl?: string;
  /** `--statsd-dialect`. Default statsd. */
  statsdDialect?: StatsdDialect;
  /** `--statsd-trace-tags` / `--no-statsd-trace-tags`. */
  statsdTraceTags?: boolean;
  /** `--dd-agent-url`, over DD_TRACE_AGENT_URL. */
  datadogAgentUrl?: string;
  /** `--dd-trace-type`. */
  datadogTraceType?: DatadogTraceType;
  /** `--dd-tag k:v`, over DD_TAGS. */
  datadogTags?: Record<string, string>;
  /** `--dd-logs <file|->`: JSON lines for the agent to tail instead of the HTTP intake. */
  datadogLogs?: string;
  /** `--zipkin-url`, over OTEL_EXPORTER_ZIPKIN_ENDPOINT. */
  zipkinUrl?: string;
}

/** Makes one exporter, loading its module first; `undefined` for `none`. */
export type ExporterFactory = (config: ExporterConfig) => Promise<TelemetryExporter | undefined>;

async function otlp(config: ExporterConfig, preset = config.otlpPreset): Promise<OtlpExporter> {
  const { OtlpExporter } = await import('./otlp.ts');
  return new OtlpExporter({ env: config.env, endpoint: config.otlpEndpoint, protocol: config.otlpProtocol, preset });
}

export const EXPORTERS: Record<string, ExporterFactory> = {
  stdout: async () => new (await import('./stdout.ts')).StdoutExporter(),
  'otlp-jsonl': async (config) => new (await import('./otlp-jsonl.ts')).OtlpJsonlExporter({ path: config.out ?? '-' }),
  otlp: (config) => otlp(config),
  honeycomb: (config) => otlp(config, 'honeycomb'),
  lightstep: (config) => otlp(config, 'lightstep'),
  datadog: async (config) =>
    new (await import('./datadog.ts')).DatadogExporter({
      env: config.env,
      agentUrl: config.datadogAgentUrl,
      traceType: config.datadogTraceType,
      defaultTags: config.datadogTags,
      statsd: { url: config.statsdUrl, traceTags: config.statsdTraceTags },
      logs: config.datadogLogs === undefined ? undefined : { path: config.datadogLogs },
    }),
  zipkin: async (config) => new (await import('./zipkin.ts')).ZipkinExporter({ env: config.env, url: config.zipkinUrl }),
  statsd: async (config) =>
    new (await import('./statsd.ts')).StatsdExporter({
      env: config.env,
      url: config.statsdUrl,
      dialect: config.statsdDialect,
      traceTags: config.statsdTraceTags,
    }),
  none: async () => undefined,
};

export const OTLP_PRESETS = Object.keys(PRESETS) as PresetName[];

/**
 * The exporters to use when none are named: those OTEL_TRACES_EXPORTER, OTEL_LOGS_EXPORTER and
 * OTEL_METRICS_EXPORTER name (`otlp`, `zipkin`, `console` → stdout), else `stdout`.
 */
export function defaultExporters(env: Record<string, string | undefined>): string[] {
  const names = new Set<string>();
  let mentioned = false;
  for (const signal of SIGNALS) {
    for (const raw of (env[`OTEL_${signal.toUpperCase()}_EXPORTER`] ?? '').split(',')) {
      const name = raw.trim();
      if (name === '') continue;
      mentioned = true;
      if (name === 'otlp' || name === 'zipkin') names.add(name);
      else if (name === 'console') names.add('stdout');
    }
  }
  return mentioned ? [...names] : ['stdout'];
}

/**
 * The named exporters, in order. Every name is checked before any module is loaded, so a typo
 * fails fast.
 */
export async function createExporters(names: string[], config: ExporterConfig): Promise<TelemetryExporter[]> {
  const factories = names.map((name) => {
    const factory = EXPORTERS[name];
    if (factory === undefined) throw new Error(`unknown exporter '${name}' (known: ${Object.keys(EXPORTERS).join(', ')})`);
    return factory;
  });
  const exporters: TelemetryExporter[] = [];
  for (const factory of factories) {
    const exporter = await factory(config);
    if (exporter) exporters.push(exporter);
  }
  return exporters;
}
