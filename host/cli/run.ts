import { Observer, DEFAULT_SERVICE_NAME } from '../observer.ts';
import { createExporters, defaultExporters, EXPORTERS, OTLP_PRESETS, type ExporterConfig } from '../exporters/registry.ts';
import { OTLP_PROTOCOLS, resourceAttributesFromEnv } from '../exporters/otel/config.ts';
import { STATSD_DIALECTS } from '../exporters/statsd.ts';
import { DATADOG_TRACE_TYPES } from '../exporters/datadog-span.ts';
import { parseTraceparent } from '../trace/parent.ts';
import { loadModule } from '../node/wasi.ts';
import { WRITE_ERROR_EXIT_CODE } from '../exporters/exporter.ts';
import { runInGuestThread, SignalWatch, SIGNAL_EXIT_CODES } from './guest-thread.ts';
import { loadDemangler } from '../node/demangle.ts';
import { loadWasm } from '../node/load.ts';
import { dynamicJavyNamespace } from '../javy/plugin.ts';
import { UsageError, parseCommandLine, type Command } from './command.ts';

/** Exit code for a guest that trapped, as shells report an abort. */
export const TRAP_EXIT_CODE = 134;

const OPTIONS = {
  exporter: { type: 'string', multiple: true },
  out: { type: 'string' },
  'min-span-us': { type: 'string' },
  service: { type: 'string' },
  invoke: { type: 'string' },
  'javy-plugin': { type: 'string' },
  env: { type: 'string', multiple: true },
  dir: { type: 'string', multiple: true },
  'max-string': { type: 'string' },
  traceparent: { type: 'string' },
  'otlp-endpoint': { type: 'string' },
  'otlp-protocol': { type: 'string' },
  'otlp-preset': { type: 'string' },
  'statsd-url': { type: 'string' },
  'statsd-dialect': { type: 'string' },
  'statsd-trace-tags': { type: 'boolean' },
  'dd-agent-url': { type: 'string' },
  'dd-trace-type': { type: 'string' },
  'dd-tag': { type: 'string', multiple: true },
  'dd-logs': { type: 'string' },
  'zipkin-url': { type: 'string' },
} as const;

const usage = `usage: wasm-observe run <module.wasm|module.wat> [options] [-- guest args…]

Runs a WASI preview1 command (_start) or, with --invoke, a reactor export, and exports the
guest's spans, logs and metrics. Exits with the guest's exit code (${TRAP_EXIT_CODE} on a trap).
Telemetry is flushed first, within the export timeout ($OTEL_EXPORTER_OTLP_TIMEOUT, default
10 s). SIGINT or SIGTERM stops the guest, closes its open spans as errors, flushes, and exits
${SIGNAL_EXIT_CODES.SIGINT} or ${SIGNAL_EXIT_CODES.SIGTERM}. If a file or stream cannot be written (--out, the stderr tree), the
reason goes to stderr and a successful run exits ${WRITE_ERROR_EXIT_CODE}.

options:
  --exporter <name>     where telemetry goes, repeatable: ${Object.keys(EXPORTERS).join(', ')}
                        (default: what OTEL_{TRACES,LOGS,METRICS}_EXPORTER name, else stdout,
                        a tree on stderr). otlp reads OTEL_EXPORTER_OTLP_*; datadog DD_*;
                        zipkin OTEL_EXPORTER_ZIPKIN_ENDPOINT; honeycomb/lightstep are otlp presets
  --traceparent <tp>    W3C traceparent: guest spans join that trace (default $TRACEPARENT)
  --otlp-endpoint <url> base OTLP endpoint (default $OTEL_EXPORTER_OTLP_ENDPOINT or :4318)
  --otlp-protocol <p>   http/protobuf, http/json or grpc (default $OTEL_EXPORTER_OTLP_PROTOCOL)
  --otlp-preset <name>  vendor endpoint and API-key header: ${OTLP_PRESETS.join(', ')}
  --statsd-url <url>    udp://host:port for statsd and datadog metrics (default $DD_DOGSTATSD_URL
                        or udp://127.0.0.1:8125)
  --statsd-dialect <d>  statsd or dogstatsd (default statsd)
  --statsd-trace-tags   add trace_id/span_id tags (default: on for dogstatsd); --no-statsd-trace-tags
  --dd-agent-url <url>  Datadog agent (default $DD_TRACE_AGENT_URL, $DD_AGENT_HOST:$DD_TRACE_AGENT_PORT)
  --dd-trace-type <t>   web, db, cache or custom (default web)
  --dd-tag <k:v>        tag on every Datadog span, metric and log, repeatable (with $DD_TAGS)
  --dd-logs <file|->    Datadog logs as JSON lines to a file the agent tails (default: the HTTP
                        intake when $DD_API_KEY is set, else JSON lines on stderr)
  --zipkin-url <url>    Zipkin v2 spans endpoint (default $OTEL_EXPORTER_ZIPKIN_ENDPOINT)
  --out <file>          file for otlp-jsonl (default: standard output)
  --min-span-us <n>     drop function spans shorter than n µs (default 20; manual spans are kept)
  --service <name>      service.name of the telemetry (default $OTEL_SERVICE_NAME or ${DEFAULT_SERVICE_NAME})
  --invoke <export>     call this export (after _initialize) instead of _start, then
                        __wasm_call_dtors if the module exports it
  --javy-plugin <wasm>  the Javy plugin a dynamically linked Javy module (javy build -C dynamic)
                        imports QuickJS from (javy emit-plugin, or the plugin after javy-link)
  --env KEY=VALUE       environment variable for the guest, repeatable
  --dir <guest>[:<host>] preopen a host directory for the guest, repeatable
  --max-string <bytes>  longest guest string read (default 65536)`;

const run: Command = {
  summary: 'Run a Wasm module under the host and export its telemetry.',
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, OPTIONS, true);
    const [path, ...guestArgs] = positionals;
    if (path === undefined) throw new UsageError('missing <module.wasm>');
    // From here on a signal stops the guest and still flushes its telemetry.
    const signals = new SignalWatch();
    const env = process.env;
    const parent = traceParent(values.traceparent, env);
    let exporters;
    try {
      exporters = await createExporters(values.exporter ?? defaultExporters(env), exporterConfig(values, env));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const maxStringBytes = number(values['max-string'], '--max-string');
    const observer = new Observer({
      exporters,
      serviceName: values.service ?? env.OTEL_SERVICE_NAME ?? DEFAULT_SERVICE_NAME,
      resourceAttributes: resourceAttributesFromEnv(env),
      minSpanDurationMicros: number(values['min-span-us'], '--min-span-us') ?? 20,
      maxStringBytes,
      exportTimeoutMillis: exportTimeout(env),
      demangle: await loadDemangler(),
    });
    const bytes = await loadWasm(path);
    const namespace = values['javy-plugin'] === undefined ? dynamicJavyNamespace(bytes) : undefined;
    if (namespace !== undefined) {
      throw new UsageError(`${path} is a dynamically linked Javy module (it imports QuickJS from '${namespace}'): pass --javy-plugin <plugin.wasm>`);
    }
    const programName = path.split('/').pop()!;
    const result = await runInGuestThread(
      await loadModule(bytes),
      {
        observer,
        programName,
        traceName: values.invoke ? `invoke ${values.invoke}` : `run ${programName}`,
        parent,
        args: guestArgs,
        invoke: values.invoke,
        javyPlugin: values['javy-plugin'] === undefined ? undefined : await loadModule(values['javy-plugin']),
        env: Object.fromEntries((values.env ?? []).map(splitPair('=', '--env'))),
        preopens: Object.fromEntries((values.dir ?? []).map((d) => (d.includes(':') ? splitPair(':', '--dir')(d) : [d, d]))),
        maxStringBytes,
      },
      signals,
    );
    // Telemetry is flushed before the exit code is reported, whatever happened; a file that
    // could not be written is reported by report() from the exporter's stats.
    await observer.shutdown().catch(() => {});
    const writeFailed = report(observer);
    if (signals.received !== undefined) {
      process.stderr.write(`wasm-observe: ${signals.received}: guest stopped\n`);
      return SIGNAL_EXIT_CODES[signals.received];
    }
    if (result.error !== undefined) {
      process.stderr.write(`wasm-observe: guest trapped: ${(result.error as Error)?.message ?? String(result.error)}\n`);
      return TRAP_EXIT_CODE;
    }
    if (result.returnValue !== undefined) process.stdout.write(`${String(result.returnValue)}\n`);
    return result.exitCode === 0 && writeFailed ? WRITE_ERROR_EXIT_CODE : result.exitCode;
  },
};

export default run;

/** `--traceparent`, else TRACEPARENT (with TRACESTATE); a malformed flag is a usage error. */
function traceParent(flag: string | undefined, env: NodeJS.ProcessEnv) {
  const text = flag ?? env.TRACEPARENT;
  if (text === undefined || text === '') return undefined;
  const parent = parseTraceparent(text, env.TRACESTATE);
  if (parent === undefined && flag !== undefined) throw new UsageError(`--traceparent is not a W3C traceparent: '${flag}'`);
  if (parent === undefined) process.stderr.write(`wasm-observe: ignoring malformed TRACEPARENT '${text}'\n`);
  return parent;
}

function exporterConfig(values: ReturnType<typeof parseCommandLine<typeof OPTIONS>>['values'], env: NodeJS.ProcessEnv): ExporterConfig {
  const oneOf = <T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined => {
    if (value === undefined || (allowed as readonly string[]).includes(value)) return value as T | undefined;
    throw new UsageError(`--${flag} takes ${allowed.join(', ')}, not '${value}'`);
  };
  return {
    out: values.out,
    env,
    otlpEndpoint: values['otlp-endpoint'],
    otlpProtocol: oneOf('otlp-protocol', values['otlp-protocol'], OTLP_PROTOCOLS),
    otlpPreset: oneOf('otlp-preset', values['otlp-preset'], OTLP_PRESETS),
    statsdUrl: values['statsd-url'],
    statsdDialect: oneOf('statsd-dialect', values['statsd-dialect'], STATSD_DIALECTS),
    statsdTraceTags: values['statsd-trace-tags'],
    datadogAgentUrl: values['dd-agent-url'],
    datadogTraceType: oneOf('dd-trace-type', values['dd-trace-type'], DATADOG_TRACE_TYPES),
    datadogTags: values['dd-tag'] && Object.fromEntries(values['dd-tag'].map(splitPair(':', '--dd-tag'))),
    datadogLogs: values['dd-logs'],
    zipkinUrl: values['zipkin-url'],
  };
}

function number(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} takes a non-negative number, not '${text}'`);
  return n;
}

function splitPair(sep: string, flag: string): (text: string) => [string, string] {
  return (text) => {
    const i = text.indexOf(sep);
    if (i <= 0) throw new UsageError(`${flag} takes A${sep}B, not '${text}'`);
    return [text.slice(0, i), text.slice(i + 1)];
  };
}

/** OTEL_EXPORTER_OTLP_TIMEOUT bounds the whole final flush too; default 10 s. */
function exportTimeout(env: NodeJS.ProcessEnv): number {
  const ms = Number(env.OTEL_EXPORTER_OTLP_TIMEOUT);
  return Number.isFinite(ms) && ms > 0 ? ms : 10_000;
}

/** Anomalies, export drops and write errors, on stderr, only when there are any. True if a write failed. */
function report(observer: Observer): boolean {
  let writeFailed = false;
  const anomalies = Object.entries(observer.anomalies());
  if (anomalies.length > 0) {
    const total = anomalies.reduce((n, [, c]) => n + c, 0);
    process.stderr.write(`wasm-observe: ${total} anomalies in guest input: ${anomalies.map(([k, c]) => `${k} ×${c}`).join(', ')}\n`);
  }
  for (const [name, stats] of Object.entries(observer.exportStats())) {
    if (stats.writeError !== undefined) {
      writeFailed = true;
      process.stderr.write(`wasm-observe: exporter ${name} cannot write ${stats.writeError}\n`);
    }
    if (stats.dropped > 0 || stats.lastError?.startsWith('gave up')) {
      process.stderr.write(`wasm-observe: exporter ${name} dropped ${stats.dropped} items${stats.lastError ? ` (${stats.lastError})` : ''}\n`);
    }
  }
  return writeFailed;
}
