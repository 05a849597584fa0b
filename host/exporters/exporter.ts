/**
 * The seam between the trace builder and destinations. An exporter receives finished spans, log
 * records and metrics synchronously (it must queue, never block or throw), sends them on its own
 * schedule, and says what it could not deliver. Every exporter here is a `Delivery` (see
 * `delivery.ts`): the queues, batching and retries are there, once, and each destination only
 * says how to send one batch.
 */
import type { TelemetrySink } from '../trace/model.ts';

export interface ExportStats {
  /** Items (spans, log records, metric points or lines) handed to the destination. */
  exported: number;
  /** Items given up on: queue full, backend refused after retries, or shut down undelivered. */
  dropped: number;
  /** The last delivery error, if any. */
  lastError?: string;
  /**
   * A local file or stream (`--out`, standard output or error) could not be opened or written,
   * as `path: reason`. Unlike a network failure, this means output the user asked for is
   * incomplete: `shutdown()` rejects with it, and the CLI exits with {@link WRITE_ERROR_EXIT_CODE}.
   */
  writeError?: string;
}

/** The CLI's exit code when a file or stream could not be written and the guest succeeded (EX_IOERR). */
export const WRITE_ERROR_EXIT_CODE = 74;

/** What `shutdown()` rejects with when a file or stream could not be written. */
export class WriteError extends Error {
  override readonly name = 'WriteError';
}

export interface TelemetryExporter extends TelemetrySink {
  /** Short name for reports: `stdout`, `otlp`, … */
  readonly name: string;
  /** Delivers everything queued so far. */
  forceFlush(): Promise<void>;
  /**
   * Flushes, then releases resources; later items are dropped and counted. With a timeout,
   * what is still unsent by then (retries included) is given up on and counted. Rejects with a
   * {@link WriteError} if a file or stream could not be written.
   */
  shutdown(timeoutMillis?: number): Promise<void>;
  stats(): ExportStats;
}
