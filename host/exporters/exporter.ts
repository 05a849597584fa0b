/**
 * The seam between the trace builder and destinations. An exporter receives finished spans, log
 * records and metrics synchronously (it must queue, never block or throw), sends them on its own
 * schedule, and says what it could not deliver.
 */
import type { TelemetrySink } from '../trace/model.ts';

export interface ExportStats {
  /** Items (spans, log records, metric points or lines) handed to the destination. */
  exported: number;
  /** Items given up on: queue full, backend refused after retries, or shut down undelivered. */
  dropped: number;
  /** The last delivery error, if any. */
  lastError?: string;
}

export interface TelemetryExporter extends TelemetrySink {
  /** Short name for reports: `stdout`, `otlp`, … */
  readonly name: string;
  /** Delivers everything queued so far. */
  forceFlush(): Promise<void>;
  /** Flushes, then releases resources; later items are dropped and counted. */
  shutdown(): Promise<void>;
  stats(): ExportStats;
}
