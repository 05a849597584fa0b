/**
 * Exporters by name, as the CLI's `--exporter` and the `OTEL_*_EXPORTER` style settings name
 * them. Each factory reads only the options and environment variables it needs.
 */
import type { TelemetryExporter } from './exporter.ts';
import { OtlpJsonlExporter } from './otlp-jsonl.ts';
import { StdoutExporter } from './stdout.ts';

export interface ExporterConfig {
  /** `--out`: the file for file exporters (`-` is standard output). */
  out?: string;
  /** The environment to read conventional variables from. */
  env: Record<string, string | undefined>;
}

type Factory = (config: ExporterConfig) => TelemetryExporter | undefined;

export const EXPORTERS: Record<string, Factory> = {
  stdout: () => new StdoutExporter(),
  'otlp-jsonl': (config) => new OtlpJsonlExporter({ path: config.out ?? '-' }),
  none: () => undefined,
};

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
