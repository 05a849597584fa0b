/**
 * A bounded, batching delivery queue for exporters that speak to a backend directly (the
 * Datadog agent and log intake). The guest side only ever pushes (never waits); one batch is in
 * flight at a time, retried with backoff; a full queue drops and counts. It is the same contract
 * as OpenTelemetry's batch processors, for payloads that are not spans or log records.
 */
import type { ExportStats } from './exporter.ts';
import { errorText, withRetry, type RetryPolicy } from './retry.ts';

export interface QueueOptions {
  /** Items held at most (waiting plus in flight); more are dropped. Default 2048. */
  maxQueueSize?: number;
  /** Items per send. Default 512. */
  maxBatchSize?: number;
  /** Longest wait before a partial batch is sent. Default 1000 ms. */
  delayMs?: number;
  retry?: RetryPolicy;
}

export class DeliveryQueue<T> {
  private items: T[] = [];
  private inFlight = 0;
  private sending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly delayMs: number;
  readonly counts: ExportStats = { exported: 0, dropped: 0 };

  constructor(
    /** Delivers one batch; `weight` says how many items the batch stands for in the counts. */
    private readonly deliver: (batch: T[]) => Promise<void>,
    private readonly options: QueueOptions = {},
    private readonly weight: (item: T) => number = () => 1,
  ) {
    this.maxQueue = options.maxQueueSize ?? 2048;
    this.maxBatch = Math.min(options.maxBatchSize ?? 512, this.maxQueue);
    this.delayMs = options.delayMs ?? 1000;
  }

  /** Queues an item; false (and counted) if the queue is full or shut down. */
  push(item: T): boolean {
    if (this.closing || this.items.length + this.inFlight >= this.maxQueue) {
      this.counts.dropped += this.weight(item);
      return false;
    }
    this.items.push(item);
    if (this.items.length >= this.maxBatch) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.delayMs).unref();
    return true;
  }

  /** Sends everything queued so far, waiting for retries to finish or give up. */
  async flush(): Promise<void> {
    while (this.items.length > 0 || this.sending !== undefined) {
      this.kick();
      await this.sending;
    }
  }

  /** Flushes, then drops and counts whatever arrives later. */
  async shutdown(): Promise<void> {
    await this.flush();
    this.closing = true;
    clearTimeout(this.timer);
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending !== undefined || this.items.length === 0) return;
    const batch = this.items.splice(0, this.maxBatch);
    this.inFlight = batch.length;
    const items = batch.reduce((n, item) => n + this.weight(item), 0);
    this.sending = withRetry(() => this.deliver(batch), this.options.retry, () => this.closing)
      .then(
        () => void (this.counts.exported += items),
        (err: unknown) => {
          this.counts.dropped += items;
          this.counts.lastError = errorText(err);
        },
      )
      .finally(() => {
        this.inFlight = 0;
        this.sending = undefined;
        // What arrived while this batch was out goes next, without waiting for the timer.
        if (this.items.length >= this.maxBatch) this.kick();
        else if (this.items.length > 0) this.timer ??= setTimeout(() => this.kick(), this.delayMs).unref();
      });
  }
}
