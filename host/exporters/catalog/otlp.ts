import { choice, declare, text, type ExporterDeclaration, type FlagValues } from '../flags.ts';
import type { OtlpExporterOptions } from '../otlp.ts';
import { OTLP_PROTOCOLS, PRESETS, type PresetName } from '../otel/config.ts';

const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

const flags = {
  'otlp-endpoint': { type: 'string', arg: '<url>', help: 'base OTLP endpoint (default $OTEL_EXPORTER_OTLP_ENDPOINT or :4318)' },
  'otlp-protocol': { type: 'string', arg: '<p>', help: 'http/protobuf, http/json or grpc (default $OTEL_EXPORTER_OTLP_PROTOCOL)', choices: OTLP_PROTOCOLS },
  'otlp-preset': { type: 'string', arg: '<name>', help: `vendor endpoint and API-key header: ${PRESET_NAMES.join(', ')}`, choices: PRESET_NAMES },
} as const;

function options(values: FlagValues, env: Record<string, string | undefined>, preset?: PresetName): OtlpExporterOptions {
  return {
    env,
    endpoint: text(values, 'otlp-endpoint'),
    protocol: choice(values, 'otlp-protocol', OTLP_PROTOCOLS),
    preset: preset ?? choice(values, 'otlp-preset', PRESET_NAMES),
  };
}

const create = async (o: OtlpExporterOptions) => new (await import('../otlp.ts')).OtlpExporter(o);

export const otlp = declare<OtlpExporterOptions>({
  summary: 'OTLP over HTTP/protobuf, HTTP/JSON or gRPC (reads OTEL_EXPORTER_OTLP_*)',
  flags,
  options,
  create,
});

/** `otlp` with a vendor's endpoint and key: `--exporter honeycomb` is `--exporter otlp --otlp-preset honeycomb`. */
export const presets: Record<string, ExporterDeclaration<OtlpExporterOptions>> = Object.fromEntries(
  PRESET_NAMES.map((name) => [name, declare({ summary: `otlp with the ${name} preset`, options: (values, env) => options(values, env, name), create })]),
);
