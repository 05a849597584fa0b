/**
 * Exporters by name, as the CLI's `--exporter` and the `OTEL_*_EXPORTER` settings name them. The
 * declarations (`catalog/`) say each exporter's flags; an exporter's module, and the packages
 * behind it (the OTel SDK exporters, protobuf, gRPC, msgpack), load only when it is chosen.
 */
import type { TelemetryExporter } from './exporter.ts';
import { SIGNALS } from './otel/config.ts';
import { EXPORTERS } from './catalog/index.ts';
import type { Env, Flag, FlagValues } from './flags.ts';

export { EXPORTERS };

/**
 * The exporters to use when none are named: those OTEL_TRACES_EXPORTER, OTEL_LOGS_EXPORTER and
 * OTEL_METRICS_EXPORTER name (`otlp`, `zipkin`, `console` → stdout), else `stdout`.
 */
export function defaultExporters(env: Env): string[] {
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
 * The named exporters, in order, from parsed command-line flags. Every name and every option is
 * checked before any exporter's module is loaded, so a typo fails fast.
 */
export async function createExporters(names: string[], flags: FlagValues, env: Env): Promise<TelemetryExporter[]> {
  const chosen = names.map((name) => {
    const declaration = EXPORTERS[name];
    if (declaration === undefined) throw new Error(`unknown exporter '${name}' (known: ${Object.keys(EXPORTERS).join(', ')})`);
    return { name, declaration, options: declaration.options(flags, env) };
  });
  for (const [flag, spec] of Object.entries(Object.assign({}, ...chosen.map((c) => c.declaration.flags)) as Record<string, Flag>)) {
    const users = chosen.filter((c) => c.declaration.flags?.[flag] !== undefined).map((c) => c.name);
    if (spec.exclusive && flags[flag] !== undefined && users.length > 1) throw new Error(`--${flag} is for one exporter, not ${users.join(' and ')}`);
  }
  const exporters: TelemetryExporter[] = [];
  for (const { declaration, options } of chosen) {
    const exporter = await declaration.create(options);
    if (exporter) exporters.push(exporter);
  }
  return exporters;
}
