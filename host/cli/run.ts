import { Observer, DEFAULT_SERVICE_NAME } from '../observer.ts';
import { CLOCK_MODES } from '../abi/imports.ts';
import { createExporters, defaultExporters, EXPORTER_FLAGS, EXPORTERS, type Flag } from '../exporters/catalog.ts';
import { millis, resourceAttributesFromEnv } from '../exporters/otel/config.ts';
import { parseTraceparent } from '../trace/parent.ts';
import { countsText } from '../trace/anomalies.ts';
import { loadModule } from '../node/wasi.ts';
import { WRITE_ERROR_EXIT_CODE } from '../exporters/exporter.ts';
import { runInGuestThread, SignalWatch, SIGNAL_EXIT_CODES, startGuestThread } from './guest-thread.ts';
import { loadDemangler } from '../node/demangle.ts';
import { loadWasm } from '../node/load.ts';
import { dynamicJavyNamespace } from '../javy/plugin.ts';
import { UsageError, type Command } from './command.ts';
import { column, flagUsage, parseFlags } from './options.ts';

/** Exit code for a guest that trapped, as shells report an abort. */
export const TRAP_EXIT_CODE = 134;

/** The flags of `run` itself; each exporter's are in its declaration. */
const RUN_FLAGS = {
  exporter: {
    type: 'strings',
    arg: '<name>',
    help: 'where telemetry goes, repeatable (below; default: what\nOTEL_{TRACES,LOGS,METRICS}_EXPORTER name, else stdout)',
  },
  traceparent: { type: 'string', arg: '<tp>', help: 'W3C traceparent: guest spans join that trace (default $TRACEPARENT)' },
  'export-timeout': {
    type: 'number',
    arg: '<s>',
    help: 'one deadline for the final flush of every exporter, retries included\n(default $OTEL_EXPORTER_OTLP_TIMEOUT ms, else 10 s)',
  },
  'min-span-us': { type: 'number', arg: '<n>', help: 'drop function spans shorter than n µs (default 20; manual spans are kept)' },
  service: { type: 'string', arg: '<name>', help: `service.name of the telemetry (default $OTEL_SERVICE_NAME or ${DEFAULT_SERVICE_NAME})` },
  invoke: { type: 'string', arg: '<export>', help: 'call this export (after _initialize) instead of _start, then\n__wasm_call_dtors if the module exports it' },
  'javy-plugin': {
    type: 'string',
    arg: '<wasm>',
    help: 'the Javy plugin a dynamically linked Javy module (javy build -C dynamic)\nimports QuickJS from (javy emit-plugin, or the plugin after javy-link)',
  },
  env: { type: 'pairs', sep: '=', arg: 'KEY=VALUE', help: 'environment variable for the guest, repeatable' },
  dir: { type: 'pairs', sep: ':', same: true, arg: '<guest>[:<host>]', help: 'preopen a host directory for the guest, repeatable' },
  'max-string': { type: 'number', arg: '<bytes>', help: 'longest guest string read (default 65536)' },
  clock: {
    type: 'string',
    arg: '<mode>',
    help: "precise (default): every event reads the clock; coarse: logs, metrics, tags and\nmemory growth take the time of the last span event (guests that log in tight loops)",
    choices: CLOCK_MODES,
  },
} as const satisfies Readonly<Record<string, Flag>>;

const usage = [
  'usage: wasm-observe run <module.wasm|module.wat> [options] [-- guest args…]',
  '',
  `Runs a WASI preview1 command (_start) or, with --invoke, a reactor export, and exports the
guest's spans, logs and metrics. Exits with the guest's exit code (${TRAP_EXIT_CODE} on a trap).
Telemetry is flushed first, within the export timeout. SIGINT or SIGTERM stops the guest, closes
its open spans as errors, flushes, and exits ${SIGNAL_EXIT_CODES.SIGINT} or ${SIGNAL_EXIT_CODES.SIGTERM}. If a file or stream cannot be
written (--out, the stderr tree), the reason goes to stderr and a successful run exits ${WRITE_ERROR_EXIT_CODE}.`,
  '',
  'options:',
  ...flagUsage(RUN_FLAGS),
  '',
  'exporters:',
  ...Object.entries(EXPORTERS).flatMap(([name, e]) => column(`  ${name}`, e.summary)),
  '',
  'exporter options:',
  ...flagUsage(EXPORTER_FLAGS),
].join('\n');

const run: Command = {
  summary: 'Run a Wasm module under the host and export its telemetry.',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { ...EXPORTER_FLAGS, ...RUN_FLAGS });
    const [path, ...guestArgs] = positionals;
    if (path === undefined) throw new UsageError('missing <module.wasm>');
    // The guest thread loads its code while this one loads the exporters and compiles the guest.
    const thread = startGuestThread();
    // From here on a signal stops the guest and still flushes its telemetry.
    const signals = new SignalWatch();
    const env = process.env;
    const parent = traceParent(values.traceparent, env);
    const timeout = values['export-timeout'];
    const exporters = await createExporters(values.exporter ?? defaultExporters(env), values, env).catch((err: Error) => {
      throw new UsageError(err.message);
    });
    const maxStringBytes = values['max-string'];
    const observer = new Observer({
      exporters,
      serviceName: values.service ?? env.OTEL_SERVICE_NAME ?? DEFAULT_SERVICE_NAME,
      resourceAttributes: resourceAttributesFromEnv(env),
      minSpanDurationMicros: values['min-span-us'] ?? 20,
      maxStringBytes,
      // Without --export-timeout, OTEL_EXPORTER_OTLP_TIMEOUT bounds the whole final flush too (else the Observer's default).
      exportTimeoutMillis: timeout === undefined ? millis(env.OTEL_EXPORTER_OTLP_TIMEOUT) : timeout * 1000,
      demangle: await loadDemangler(),
    });
    const bytes = await loadWasm(path);
    const plugin = values['javy-plugin'];
    const namespace = plugin === undefined ? dynamicJavyNamespace(bytes) : undefined;
    if (namespace !== undefined) {
      throw new UsageError(`${path} is a dynamically linked Javy module (it imports QuickJS from '${namespace}'): pass --javy-plugin <plugin.wasm>`);
    }
    const programName = path.split('/').pop()!;
    const result = await runInGuestThread(
      thread,
      await loadModule(bytes),
      {
        observer,
        programName,
        parent,
        args: guestArgs,
        invoke: values.invoke,
        javyPlugin: plugin === undefined ? undefined : await loadModule(plugin),
        env: values.env,
        preopens: values.dir,
        maxStringBytes,
        clock: values.clock,
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

/** Anomalies, export drops and write errors, on stderr, only when there are any. True if a write failed. */
function report(observer: Observer): boolean {
  let writeFailed = false;
  const anomalies = observer.anomalies();
  const total = Object.values(anomalies).reduce((n, c) => n + c, 0);
  if (total > 0) process.stderr.write(`wasm-observe: ${total} anomalies in guest input: ${countsText(anomalies)}\n`);
  for (const [name, stats] of Object.entries(observer.exportStats())) {
    if (stats.writeError !== undefined) {
      writeFailed = true;
      process.stderr.write(`wasm-observe: exporter ${name} cannot write ${stats.writeError}\n`);
    }
    if (stats.dropped > 0 || stats.lastError !== undefined) {
      process.stderr.write(`wasm-observe: exporter ${name} dropped ${stats.dropped} items${stats.lastError ? ` (${stats.lastError})` : ''}\n`);
    }
  }
  return writeFailed;
}
