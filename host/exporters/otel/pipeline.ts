/**
 * The official OpenTelemetry exporters, unchanged, behind the delivery layer: spans and log
 * records are batched, bounded and counted there and handed to each exporter's
 * `export(batch, done)`; statsd points are aggregated by `OtelMetrics` and pushed on an interval
 * and at every flush. Every OpenTelemetry-based destination (OTLP, an embedding program's
 * exporters) is one of these with different exporters plugged in. The OTLP exporters retry by
 * themselves, so by default a failed batch is not tried again here.
 */
import type { ExportResult } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { Delivery, Tally, type BatchOptions } from '../delivery.ts';
import type { RetryPolicy } from '../retry.ts';
import { OtelMetrics } from './metrics.ts';

export interface OtelPipelineOptions {
  /** Name in reports (`otlp`, `otlp-http`, …). */
  name: string;
  spans?: SpanExporter;
  logs?: LogRecordExporter;
  metrics?: PushMetricExporter;
  batch?: BatchOptions;
  /** How often aggregated metrics are pushed; they are also pushed on forceFlush. Default 60 000 ms. */
  metricIntervalMs?: number;
  /** Backoff for failed batches. Default: none (the OTLP exporters retry themselves). */
  retry?: RetryPolicy;
}

export class OtelPipeline extends Delivery {
  constructor(options: OtelPipelineOptions) {
    const { spans, logs, metrics, batch } = options;
    const retry = options.retry ?? false;
    const tally = new Tally();
    super({
      name: options.name,
      tally,
      spans: spans && { send: exportVia(spans), batch, retry },
      logs: logs && { send: exportVia(logs), batch, retry },
      aggregate: metrics && {
        aggregator: new OtelMetrics(tally),
        send: async (batch: ResourceMetrics[]) => {
          for (const resourceMetrics of batch) await exportVia(metrics)(resourceMetrics);
        },
        weight: dataPoints,
        retry: false,
        intervalMs: options.metricIntervalMs ?? 60_000,
      },
      close: () => Promise.allSettled([spans?.shutdown(), logs?.shutdown(), metrics?.shutdown()]).then(() => {}),
    });
  }
}

/** An OpenTelemetry exporter's callback-style `export` as a promise that rejects with its error. */
export function exportVia<T>(exporter: { export(items: T, done: (result: ExportResult) => void): void }): (items: T) => Promise<void> {
  return (items) =>
    new Promise((resolve, reject) => exporter.export(items, (result) => (result.code === 0 ? resolve() : reject(result.error ?? new Error('export failed')))));
}

function dataPoints(resourceMetrics: ResourceMetrics): number {
  return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).reduce((n, metric) => n + metric.dataPoints.length, 0);
}
