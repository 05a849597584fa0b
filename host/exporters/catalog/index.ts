/**
 * Every exporter the CLI can name, with its declared options. Loading this list loads no
 * exporter: each `create` imports its module when that exporter is chosen.
 */
import type { ExporterDeclaration } from '../flags.ts';
import { datadog } from './datadog.ts';
import { otlp, presets } from './otlp.ts';
import { otlpJsonl } from './otlp-jsonl.ts';
import { perfetto } from './perfetto.ts';
import { statsd } from './statsd.ts';
import { none, stdout } from './stdout.ts';
import { zipkin } from './zipkin.ts';

export const EXPORTERS: Readonly<Record<string, ExporterDeclaration>> = {
  stdout,
  'otlp-jsonl': otlpJsonl,
  otlp,
  ...presets,
  datadog,
  zipkin,
  statsd,
  perfetto,
  none,
};
