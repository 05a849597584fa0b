import { declare, text } from '../flags.ts';
import type { ZipkinOptions } from '../zipkin.ts';

export const zipkin = declare<ZipkinOptions>({
  summary: 'a Zipkin v2 collector, logs and metrics as annotations\n(reads OTEL_EXPORTER_ZIPKIN_ENDPOINT)',
  flags: { 'zipkin-url': { type: 'string', arg: '<url>', help: 'Zipkin v2 spans endpoint (default $OTEL_EXPORTER_ZIPKIN_ENDPOINT)' } },
  options: (flags, env) => ({ env, url: text(flags, 'zipkin-url') }),
  create: async (options) => new (await import('../zipkin.ts')).ZipkinExporter(options),
});
