/**
 * Exporters by name, as the CLI's `--exporter` and the `OTEL_*_EXPORTER` style settings name
 * them. Each factory reads only the options and environment variables it needs.
 */
import type { TelemetryExporter } from './exporter.ts';
import { OtlpJsonlExporter } from './otlp-jsonl.ts';
import { StdoutExporter } from './stdout.ts';
import { OtlpExporter } from './otlp.ts';
import { PRESETS, SIGNALS, type OtlpProtocol, type PresetName } from './otel/config.ts';
import { DatadogExporter, type DatadogTraceType } from './datadog.ts';
import { ZipkinExporter } from './zipkin.ts';
import { StatsdExporter, type StatsdDialect } from './statsd.ts';

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

type Factory = (config: ExporterConfig) => TelemetryExporter | undefined;

function otlp(config: ExporterConfig, preset = config.otlpPreset): OtlpExporter {
  return new OtlpExporter({ env: config.env, endpoint: config.otlpEndpoint, protocol: config.otlpProtocol, preset });
}

export const EXPORTERS: Record<string, Factory> = {
  stdout: () => new StdoutExporter(),
  'otlp-jsonl': (config) => new OtlpJsonlExporter({ path: config.out ?? '-' }),
  otlp: (config) => otlp(config),
  honeycomb: (config) => otlp(config, 'honeycomb'),
  lightstep: (config) => otlp(config, 'lightstep'),
  datadog: (config) =>
    new DatadogExporter({
      env: config.env,
      agentUrl: config.datadogAgentUrl,
      traceType: config.datadogTraceType,
      defaultTags: config.datadogTags,
      statsd: { url: config.statsdUrl, traceTags: config.statsdTraceTags },
      logs: config.datadogLogs === undefined ? undefined : { path: config.datadogLogs },
    }),
  zipkin: (config) => new ZipkinExporter({ env: config.env, url: config.zipkinUrl }),
  statsd: (config) =>
    new StatsdExporter({ env: config.env, url: config.statsdUrl, dialect: config.statsdDialect, traceTags: config.statsdTraceTags }),
  none: () => undefined,
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

export function createExporters(names: string[], config: ExporterConfig): TelemetryExporter[] {
  const exporters: TelemetryExporter[] = [];
  for (const name of names) {
    const factory = EXPORTERS[name];
    if (factory === undefined) throw new Error(`unknown exporter '${name}' (known: ${Object.keys(EXPORTERS).join(', ')})`);
    const exporter = factory(config);
    if (exporter) exporters.push(exporter);
  }
  return exporters;
}
