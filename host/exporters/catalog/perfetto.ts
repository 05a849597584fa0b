import { declare, text } from '../flags.ts';
import type { PerfettoOptions } from '../perfetto.ts';
import { OUT } from './shared.ts';

export const perfetto = declare<PerfettoOptions>({
  summary: 'a Chrome Trace Event file (--out, default trace.json): a flame chart\nin ui.perfetto.dev, chrome://tracing or speedscope',
  flags: { out: OUT },
  options: (flags) => ({ path: text(flags, 'out') ?? 'trace.json' }),
  create: async (options) => new (await import('../perfetto.ts')).PerfettoExporter(options),
});
