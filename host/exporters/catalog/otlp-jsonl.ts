import { declare, text } from '../flags.ts';
import type { OtlpJsonlOptions } from '../otlp-jsonl.ts';
import { OUT } from './shared.ts';

export const otlpJsonl = declare<OtlpJsonlOptions>({
  summary: 'OTLP/JSON lines, the Collector file format, to --out',
  flags: { out: OUT },
  options: (flags) => ({ path: text(flags, 'out') ?? '-' }),
  create: async (options) => new (await import('../otlp-jsonl.ts')).OtlpJsonlExporter(options),
});
