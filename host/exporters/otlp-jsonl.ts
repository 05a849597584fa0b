/**
 * `otlp-jsonl`: the OpenTelemetry Collector's file format. Each line is one OTLP/JSON
 * `ExportTraceServiceRequest`, `ExportLogsServiceRequest` or `ExportMetricsServiceRequest`,
 * serialized by the official `@opentelemetry/otlp-transformer`. Lines are written synchronously
 * (see {@link LineWriter}) when a trace ends and whenever a batch fills, metrics at every flush,
 * so a long invocation never holds more than one batch and the file is valid line by line at
 * every moment. After a write error the rest is dropped and counted; the error is in `stats().writeError`.
 */
import { JsonLogsSerializer, JsonMetricsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { Delivery, Tally } from './delivery.ts';
import { LineWriter } from './line-writer.ts';
import { OtelMetrics } from './otel/metrics.ts';

export interface OtlpJsonlOptions {
  /** File to append to; `-` for standard output. */
  path: string;
  /** Spans or log records per line. Default 512. */
  batchSize?: number;
}

const NEWLINE = Buffer.from('\n');

export class OtlpJsonlExporter extends Delivery {
  constructor(options: OtlpJsonlOptions) {
    const out = new LineWriter(options.path);
    const line = (bytes: Uint8Array | undefined): boolean => bytes !== undefined && out.write(Buffer.concat([bytes, NEWLINE]));
    // Written in place: a batch becomes a line as soon as it fills or its trace ends.
    const batch = { maxQueueSize: Infinity, maxExportBatchSize: options.batchSize ?? 512 };
    const tally = new Tally();
    super({
      name: 'otlp-jsonl',
      tally,
      spans: { send: (spans: ReadableSpan[]) => line(JsonTraceSerializer.serializeRequest(spans)), batch, sendAtTraceEnd: true },
      logs: { send: (logs: ReadableLogRecord[]) => line(JsonLogsSerializer.serializeRequest(logs)), batch, sendAtTraceEnd: true },
      aggregate: {
        aggregator: new OtelMetrics(tally),
        send: (collected: ResourceMetrics[]) => collected.every((metrics) => line(JsonMetricsSerializer.serializeRequest(metrics))),
      },
      out,
    });
  }
}
