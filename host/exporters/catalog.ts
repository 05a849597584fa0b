/**
 * Exporters by name, as the CLI's `--exporter` and the `OTEL_*_EXPORTER` settings name them, each
 * declared once: its summary, its flags (usage text, how the text becomes a value, the typed option
 * it sets), and how it is made. The CLI's usage and parsing come from these declarations. Loading
 * them loads no exporter: an exporter's module, and the packages behind it (the OTel SDK
 * exporters, protobuf, gRPC, msgpack), load only when `create` runs for it.
 */
import type { TelemetryExporter } from './exporter.ts';
import type { DatadogOptions } from './datadog.ts';
import { DATADOG_TRACE_TYPES } from './datadog-span.ts';
import type { OtlpExporterOptions } from './otlp.ts';
import type { OtlpJsonlOptions } from './otlp-jsonl.ts';
import { exportersNamed, OTLP_PROTOCOLS, PRESETS, SIGNALS, type PresetName } from './otel/config.ts';
import type { PerfettoOptions } from './perfetto.ts';
import { STATSD_DIALECTS, type StatsdOptions } from './statsd.ts';
import type { ZipkinOptions } from './zipkin.ts';

/**
 * The value each type of flag gives: `string` its text, `strings` the texts of a repeated flag,
 * `pairs` repeated `A<sep>B` texts as a record, `boolean` a switch with a `--no-` form, `number`
 * a non-negative number.
 */
export interface FlagTypes {
  string: string;
  strings: string[];
  pairs: Record<string, string>;
  boolean: boolean;
  number: number;
}

export interface Flag<Option extends string = string> {
  type: keyof FlagTypes;
  /** The exporter option it sets, a dotted path for a nested one (`statsd.url`); `run`'s own flags set none. */
  option?: Option;
  /** The value as the usage shows it: `<url>` shows as `--flag <url>`. */
  arg?: string;
  /** Usage text, including its default and the environment variable it overrides. */
  help: string;
  /** The only values a `string` flag takes; any other is a usage error. */
  choices?: readonly string[];
  /** What separates A from B in a `pairs` value. */
  sep?: string;
  /** A `pairs` value without `sep` is both A and B (`--dir /data` is `/data:/data`). */
  same?: boolean;
  /** Its value is for one exporter only (a file two exporters would both write). */
  exclusive?: boolean;
}

export type FlagValue = FlagTypes[keyof FlagTypes];
export type FlagValues = Readonly<Record<string, FlagValue | undefined>>;
export type Env = Record<string, string | undefined>;

/** The option names a flag may set: a key of the options, or a key of an object-valued one. */
type OptionPath<O> = unknown extends O ? string : { [K in keyof O & string]: K | `${K}.${keyof Extract<O[K], object> & string}` }[keyof O & string];

export interface ExporterDeclaration<Options = unknown> {
  /** One line for the `--exporter` list: where telemetry goes and what environment it reads. */
  summary: string;
  flags?: Readonly<Record<string, Flag<OptionPath<Options>>>>;
  /** Options no flag sets: fixed defaults, and `env` for an exporter that reads its environment. */
  defaults?(env: Env): Partial<Options>;
  /** Loads the exporter's module and makes it; `undefined` for none. */
  create(options: Options): Promise<TelemetryExporter | undefined>;
}

// Flags more than one exporter reads, declared once.
const OUT = { type: 'string', arg: '<file>', exclusive: true, help: 'file for otlp-jsonl and perfetto (default: standard output for\notlp-jsonl, trace.json for perfetto)' } as const;
const STATSD_URL = { type: 'string', arg: '<url>', help: 'udp://host:port for statsd and datadog metrics (default $DD_DOGSTATSD_URL\nor udp://127.0.0.1:8125)' } as const;
const STATSD_TRACE_TAGS = { type: 'boolean', help: 'add trace_id/span_id tags (default: on for dogstatsd); --no-statsd-trace-tags' } as const;

const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
const OTLP_FLAGS = {
  'otlp-endpoint': { type: 'string', option: 'endpoint', arg: '<url>', help: 'base OTLP endpoint (default $OTEL_EXPORTER_OTLP_ENDPOINT or :4318)' },
  'otlp-protocol': {
    type: 'string',
    option: 'protocol',
    arg: '<p>',
    help: 'http/protobuf, http/json or grpc (default $OTEL_EXPORTER_OTLP_PROTOCOL)',
    choices: OTLP_PROTOCOLS,
  },
} as const;

/** `otlp`, or `otlp` with a vendor's endpoint and key: `--exporter honeycomb` is `--exporter otlp --otlp-preset honeycomb`. */
function otlp(summary: string, flags: ExporterDeclaration<OtlpExporterOptions>['flags'], preset?: PresetName): ExporterDeclaration<OtlpExporterOptions> {
  return {
    summary,
    flags,
    defaults: (env) => ({ env, preset }),
    create: async (options) => new (await import('./otlp.ts')).OtlpExporter(options),
  };
}

export const EXPORTERS: Readonly<Record<string, ExporterDeclaration>> = {
  stdout: {
    summary: 'a tree per trace on stderr, coloured on a terminal',
    create: async () => new (await import('./stdout.ts')).StdoutExporter(),
  },
  'otlp-jsonl': {
    summary: 'OTLP/JSON lines, the Collector file format, to --out',
    flags: { out: { ...OUT, option: 'path' } },
    defaults: () => ({ path: '-' }),
    create: async (options) => new (await import('./otlp-jsonl.ts')).OtlpJsonlExporter(options),
  } satisfies ExporterDeclaration<OtlpJsonlOptions>,
  otlp: otlp('OTLP over HTTP/protobuf, HTTP/JSON or gRPC (reads OTEL_EXPORTER_OTLP_*)', {
    ...OTLP_FLAGS,
    'otlp-preset': { type: 'string', option: 'preset', arg: '<name>', help: `vendor endpoint and API-key header: ${PRESET_NAMES.join(', ')}`, choices: PRESET_NAMES },
  }),
  ...Object.fromEntries(PRESET_NAMES.map((name) => [name, otlp(`otlp with the ${name} preset`, OTLP_FLAGS, name)])),
  datadog: {
    summary: 'the Datadog agent: spans, DogStatsD metrics, correlated logs (reads DD_*)',
    flags: {
      'dd-agent-url': { type: 'string', option: 'agentUrl', arg: '<url>', help: 'Datadog agent (default $DD_TRACE_AGENT_URL, $DD_AGENT_HOST:$DD_TRACE_AGENT_PORT)' },
      'dd-service': {
        type: 'string',
        option: 'serviceName',
        arg: '<name>',
        help: 'service of Datadog spans, metrics and logs (default $DD_SERVICE\nor default-wasm-service)',
      },
      'dd-trace-type': { type: 'string', option: 'traceType', arg: '<t>', help: 'web, db, cache or custom (default web)', choices: DATADOG_TRACE_TYPES },
      'dd-tag': { type: 'pairs', sep: ':', option: 'defaultTags', arg: '<k:v>', help: 'tag on every Datadog span, metric and log, repeatable (with $DD_TAGS)' },
      'dd-logs': {
        type: 'string',
        option: 'logs.path',
        arg: '<file|->',
        help: 'Datadog logs as JSON lines to a file the agent tails (default: the HTTP\nintake when $DD_API_KEY is set, else JSON lines on stderr)',
      },
      'statsd-url': { ...STATSD_URL, option: 'statsd.url' },
      'statsd-trace-tags': { ...STATSD_TRACE_TAGS, option: 'statsd.traceTags' },
    },
    defaults: (env) => ({ env }),
    create: async (options) => new (await import('./datadog.ts')).DatadogExporter(options),
  } satisfies ExporterDeclaration<DatadogOptions>,
  zipkin: {
    summary: 'a Zipkin v2 collector, logs and metrics as annotations\n(reads OTEL_EXPORTER_ZIPKIN_ENDPOINT)',
    flags: { 'zipkin-url': { type: 'string', option: 'url', arg: '<url>', help: 'Zipkin v2 spans endpoint (default $OTEL_EXPORTER_ZIPKIN_ENDPOINT)' } },
    defaults: (env) => ({ env }),
    create: async (options) => new (await import('./zipkin.ts')).ZipkinExporter(options),
  } satisfies ExporterDeclaration<ZipkinOptions>,
  statsd: {
    summary: 'metrics over UDP to a statsd daemon or DogStatsD (reads DD_DOGSTATSD_URL)',
    flags: {
      'statsd-url': { ...STATSD_URL, option: 'url' },
      'statsd-dialect': { type: 'string', option: 'dialect', arg: '<d>', help: 'statsd or dogstatsd (default statsd)', choices: STATSD_DIALECTS },
      'statsd-prefix': { type: 'string', option: 'prefix', arg: '<p>', help: 'prepended to every statsd metric name, with a dot' },
      'statsd-trace-tags': { ...STATSD_TRACE_TAGS, option: 'traceTags' },
    },
    defaults: (env) => ({ env }),
    create: async (options) => new (await import('./statsd.ts')).StatsdExporter(options),
  } satisfies ExporterDeclaration<StatsdOptions>,
  perfetto: {
    summary: 'a Chrome Trace Event file (--out, default trace.json): a flame chart\nin ui.perfetto.dev, chrome://tracing or speedscope',
    flags: { out: { ...OUT, option: 'path' } },
    defaults: () => ({ path: 'trace.json' }),
    create: async (options) => new (await import('./perfetto.ts')).PerfettoExporter(options),
  } satisfies ExporterDeclaration<PerfettoOptions>,
  none: { summary: 'nothing (the guest still runs under the host)', create: async () => undefined },
};

/** Every exporter's flags, each once (a shared one is the same flag for each exporter that reads it). */
export const EXPORTER_FLAGS: Readonly<Record<string, Flag>> = Object.assign({}, ...Object.values(EXPORTERS).map((e) => e.flags));

/** An exporter's typed options: its defaults, then the value of each of its flags given, at the option the flag names. */
function exporterOptions<Options>(declaration: ExporterDeclaration<Options>, values: FlagValues, env: Env): Options {
  const options: Record<string, unknown> = { ...declaration.defaults?.(env) };
  for (const [name, flag] of Object.entries(declaration.flags ?? {})) {
    if (values[name] === undefined || flag.option === undefined) continue;
    const path = flag.option.split('.');
    const key = path.pop()!;
    let target = options;
    for (const part of path) target = (target[part] ??= {}) as Record<string, unknown>;
    target[key] = values[name];
  }
  return options as Options;
}

/** What the OTEL_*_EXPORTER settings name, as exporters here; the others (`none`, `prometheus`, …) are none. */
const OTEL_EXPORTER_NAMES = new Map([['otlp', 'otlp'], ['zipkin', 'zipkin'], ['console', 'stdout']]);

/**
 * The exporters to use when none are named: those OTEL_TRACES_EXPORTER, OTEL_LOGS_EXPORTER and
 * OTEL_METRICS_EXPORTER name (`otlp`, `zipkin`, `console` → stdout), else `stdout`.
 */
export function defaultExporters(env: Env): string[] {
  const named = SIGNALS.flatMap((signal) => exportersNamed(env, signal));
  if (named.length === 0) return ['stdout'];
  return [...new Set(named.flatMap((name) => OTEL_EXPORTER_NAMES.get(name) ?? []))];
}

/**
 * The named exporters, in order, from the parsed flags. Every name is checked before any
 * exporter's module is loaded, so a typo fails fast.
 */
export async function createExporters(names: string[], values: FlagValues, env: Env): Promise<TelemetryExporter[]> {
  const unknown = names.find((name) => !Object.hasOwn(EXPORTERS, name));
  if (unknown !== undefined) throw new Error(`unknown exporter '${unknown}' (known: ${Object.keys(EXPORTERS).join(', ')})`);
  for (const [flag, spec] of Object.entries(EXPORTER_FLAGS)) {
    const users = names.filter((name) => EXPORTERS[name]!.flags?.[flag] !== undefined);
    if (spec.exclusive && values[flag] !== undefined && users.length > 1) throw new Error(`--${flag} is for one exporter, not ${users.join(' and ')}`);
  }
  const exporters = [];
  for (const name of names) {
    const declaration = EXPORTERS[name]!;
    exporters.push(await declaration.create(exporterOptions(declaration, values, env)));
  }
  return exporters.filter((exporter) => exporter !== undefined);
}
