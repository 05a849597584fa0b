import { parseArgs } from 'node:util';
import { Observer, DEFAULT_SERVICE_NAME } from '../observer.ts';
import { createExporters, EXPORTERS } from '../exporters/registry.ts';
import { runWasi } from '../node/wasi.ts';
import { loadDemangler } from '../node/demangle.ts';
import { loadWasm } from '../node/load.ts';
import { UsageError, type Command } from './command.ts';

/** Exit code for a guest that trapped, as shells report an abort. */
export const TRAP_EXIT_CODE = 134;

const usage = `usage: wasm-observe run <module.wasm|module.wat> [options] [-- guest args…]

Runs a WASI preview1 command (_start) or, with --invoke, a reactor export, and exports the
guest's spans, logs and metrics. Exits with the guest's exit code (${TRAP_EXIT_CODE} on a trap).

options:
  --exporter <name>     where telemetry goes, repeatable: ${Object.keys(EXPORTERS).join(', ')}
                        (default stdout: a tree on stderr)
  --out <file>          file for otlp-jsonl (default: standard output)
  --min-span-us <n>     drop function spans shorter than n µs (default 20; manual spans are kept)
  --service <name>      service.name of the telemetry (default $OTEL_SERVICE_NAME or ${DEFAULT_SERVICE_NAME})
  --invoke <export>     call this export (after _initialize) instead of _start
  --env KEY=VALUE       environment variable for the guest, repeatable
  --dir <guest>[:<host>] preopen a host directory for the guest, repeatable
  --max-string <bytes>  longest guest string read (default 65536)`;

const run: Command = {
  summary: 'Run a Wasm module under the host and export its telemetry.',
  usage,
  async run(argv) {
    const { values, positionals } = parse(argv);
    const [path, ...guestArgs] = positionals;
    if (path === undefined) throw new UsageError('missing <module.wasm>');
    const env = process.env;
    let exporters;
    try {
      exporters = createExporters(values.exporter ?? ['stdout'], { out: values.out, env });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const observer = new Observer({
      exporters,
      serviceName: values.service ?? env.OTEL_SERVICE_NAME ?? DEFAULT_SERVICE_NAME,
      minSpanDurationMicros: number(values['min-span-us'], '--min-span-us') ?? 20,
      maxStringBytes: number(values['max-string'], '--max-string'),
      demangle: await loadDemangler(),
    });
    const result = await runWasi(await loadWasm(path), {
      observer,
      programName: path.split('/').pop()!,
      args: guestArgs,
      invoke: values.invoke,
      env: Object.fromEntries((values.env ?? []).map(splitPair('=', '--env'))),
      preopens: Object.fromEntries((values.dir ?? []).map((d) => (d.includes(':') ? splitPair(':', '--dir')(d) : [d, d]))),
    });
    // Telemetry is flushed before the exit code is reported, whatever happened.
    await observer.shutdown();
    report(observer);
    if (result.error !== undefined) {
      process.stderr.write(`wasm-observe: guest trapped: ${(result.error as Error)?.message ?? String(result.error)}\n`);
      return TRAP_EXIT_CODE;
    }
    if (result.returnValue !== undefined) process.stdout.write(`${String(result.returnValue)}\n`);
    return result.exitCode;
  },
};

export default run;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        exporter: { type: 'string', multiple: true },
        out: { type: 'string' },
        'min-span-us': { type: 'string' },
        service: { type: 'string' },
        invoke: { type: 'string' },
        env: { type: 'string', multiple: true },
        dir: { type: 'string', multiple: true },
        'max-string': { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
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

/** Anomalies and export drops, on stderr, only when there are any. */
function report(observer: Observer): void {
  const anomalies = Object.entries(observer.anomalies());
  if (anomalies.length > 0) {
    const total = anomalies.reduce((n, [, c]) => n + c, 0);
    process.stderr.write(`wasm-observe: ${total} anomalies in guest input: ${anomalies.map(([k, c]) => `${k} ×${c}`).join(', ')}\n`);
  }
  for (const [name, stats] of Object.entries(observer.exportStats())) {
    if (stats.dropped > 0) {
      process.stderr.write(`wasm-observe: exporter ${name} dropped ${stats.dropped} items${stats.lastError ? ` (${stats.lastError})` : ''}\n`);
    }
  }
}
