/**
 * The one delivery layer between the trace builder and every destination, as OpenTelemetry's
 * batch processors are for its exporters: bounded queues, batching, per-trace holding, retry with
 * backoff, drop counting, flush and shutdown, written once for spans, logs and metrics. A
 * destination only says how to send one batch of each signal it takes ({@link Destination}); the
 * builder's synchronous calls never wait, and whatever cannot be delivered is counted.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { GuestMetric, TraceSummary } from '../trace/model.ts';
import { WriteError, type ExportStats, type TelemetryExporter } from './exporter.ts';
import { errorText, settlesBy, withRetry, type RetryPolicy } from './retry.ts';

/**
 * Sends one batch. A promise is a network send, retried with backoff when it rejects with a
 * retryable error; anything else is a synchronous write (a file, a stream, a callback), done
 * when it returns, and `false` says it could not be written.
 */
export type BatchSend<T> = (batch: T[]) => Promise<void> | boolean | void;

/** OpenTelemetry's batch processor settings, for every signal. */
export interface BatchOptions {
  /** Items queued or in flight at most; more are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** Items per batch. Default 512. */
  maxExportBatchSize?: number;
  /** Longest wait before a partial batch is sent. Default 1000 ms. */
  scheduledDelayMillis?: number;
}

/** The OpenTelemetry SDK's batch defaults. */
export const DEFAULT_BATCH = { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 1000 } as const;

/** For a synchronous write (a file, a stream, a callback): each item goes out as it arrives, never queued. */
export const IN_PLACE: BatchOptions = { maxQueueSize: Infinity, maxExportBatchSize: 1 };

/** How one signal (or a destination's own unit, such as a trace chunk) travels. */
export interface Route<In, Out = In> {
  send(batch: Out[]): ReturnType<BatchSend<Out>>;
  /** Turns an item into what is queued, when it arrives; undefined sends nothing. Default: as is. */
  prepare?(item: In): Out | undefined;
  /** How many items a queued unit stands for, in the bounds and the counts. Default 1. */
  weight?(item: Out): number;
  batch?: BatchOptions;
  /** Backoff for failed sends; `false` never retries (the official OTLP exporters retry themselves). */
  retry?: RetryPolicy | false;
  /** Send what is queued as soon as a trace ends instead of waiting for the batch delay. */
  sendAtTraceEnd?: boolean;
}

/** Everything one trace produced, for destinations that need it whole. */
export interface TraceBatch {
  spans: ReadableSpan[];
  logs: ReadableLogRecord[];
  metrics: GuestMetric[];
  /** Set when the trace has ended; undefined for a part sent early because the trace grew past the hold limit. */
  summary: TraceSummary | undefined;
  /** Items past the hold limit, dropped and counted (when parts are not allowed). */
  notHeld: number;
}

export type Signal = 'spans' | 'logs' | 'metrics';
const SIGNALS: readonly Signal[] = ['spans', 'logs', 'metrics'];

/** Per-trace delivery: the named signals are held until their trace ends, then handed over together. */
export interface TraceRoute<Out> extends Route<TraceBatch, Out> {
  hold: readonly Signal[];
  /** Items held per trace at most. Default 5000. A trace counts as its items, unless prepared into something else. */
  maxHeld?: number;
  /** Past the limit: send what is held as a part (true) or drop and count the rest (false). */
  parts?: boolean;
}

/**
 * Every signal of a trace held until the trace ends, then written in place; past `maxHeld`
 * items the rest are dropped and counted (`notHeld`). For destinations that show a trace whole.
 */
export function wholeTraces(maxHeld: number, write: (trace: TraceBatch) => boolean): TraceRoute<TraceBatch> {
  return { hold: ['spans', 'logs', 'metrics'], maxHeld, parts: false, batch: IN_PLACE, sendAtTraceEnd: true, send: (traces) => traces.every(write) };
}

/** Metrics aggregated before sending (OpenTelemetry instruments): collected on an interval and at every flush. */
export interface Aggregator<T> {
  record(metric: GuestMetric): void;
  collect(): Promise<T[]>;
  shutdown(): Promise<void>;
}

export interface AggregateRoute<Out> extends Route<Out> {
  aggregator: Aggregator<Out>;
  /** How often aggregated metrics are collected and sent. Default: only at flush. */
  intervalMs?: number;
}

/**
 * What a delivery counted. A destination that learns of a loss by itself (a UDP refusal heard
 * after the send, a log with no span to hang on, a point OpenTelemetry cannot record) counts it
 * here too, so every count is in one place.
 */
export class Tally {
  exported = 0;
  dropped = 0;
  lastError: string | undefined;

  /** `n` items lost; `reason` becomes the last error. */
  drop(n: number, reason?: string): void {
    this.dropped += n;
    if (reason !== undefined) this.lastError = reason;
  }
}

/** What a destination is: how each signal it takes is sent, and what it holds open. */
export interface Destination {
  /** Name in reports: `stdout`, `otlp`, … */
  name: string;
  spans?: Route<ReadableSpan, unknown>;
  logs?: Route<ReadableLogRecord, unknown>;
  metrics?: Route<GuestMetric, unknown>;
  traces?: TraceRoute<unknown>;
  aggregate?: AggregateRoute<unknown>;
  /** After every flush: flushes what the destination passes its items on to. */
  flush?(): Promise<void>;
  /** After the last send: releases sockets and whatever the destination passes its items on to. */
  close?(): Promise<void> | void;
  /** The file or stream the destination writes in place: closed last; its first failure is a write error. */
  out?: { close(): void; readonly error: string | undefined };
  /** Where the destination counts losses it learns of by itself; default: a tally of its own. */
  tally?: Tally;
}

/** A {@link TelemetryExporter} made of a {@link Destination} and the delivery rules above. */
export class Delivery implements TelemetryExporter {
  readonly name: string;
  private readonly counts: Tally;
  private readonly channels: Channel<unknown>[] = [];
  /** Where each signal goes when it is not held for its trace. */
  private readonly routes: Partial<Record<Signal, Channel<unknown>>> = {};
  private readonly traces: Channel<unknown> | undefined;
  private readonly aggregated: Channel<unknown> | undefined;
  private readonly held: ReadonlySet<Signal>;
  private readonly maxHeld: number;
  private bucket: TraceBatch = emptyTrace();
  private heldCount = 0;
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private collecting: Promise<void> = Promise.resolve();
  private closed = false;
  /** Set when a shutdown's timeout ran out with items unsent. */
  private gaveUp: string | undefined;

  constructor(private readonly destination: Destination) {
    this.name = destination.name;
    this.counts = destination.tally ?? new Tally();
    const channel = <In, Out>(route: Route<In, Out> | undefined) => {
      if (route === undefined) return undefined;
      const made = new Channel(route as Route<unknown, unknown>, this.counts);
      this.channels.push(made);
      return made;
    };
    for (const signal of SIGNALS) this.routes[signal] = channel(destination[signal] as Route<unknown> | undefined);
    // A whole trace counts as the items in it, unless the destination turns it into something else.
    const traces = destination.traces;
    this.traces = channel(traces && (traces.weight || traces.prepare ? traces : { ...traces, weight: (t: TraceBatch) => t.spans.length + t.logs.length + t.metrics.length }));
    // Aggregation already bounds what is held: each collection goes out as it is made.
    this.aggregated = channel(destination.aggregate && { batch: IN_PLACE, ...destination.aggregate });
    this.held = new Set(destination.traces?.hold ?? []);
    this.maxHeld = destination.traces?.maxHeld ?? 5000;
    const interval = destination.aggregate?.intervalMs;
    if (interval !== undefined) this.timer = unref(setInterval(() => this.collect(), interval));
  }

  onSpan(span: ReadableSpan): void {
    this.accept('spans', span);
  }

  onLog(record: ReadableLogRecord): void {
    this.accept('logs', record);
  }

  onMetric(metric: GuestMetric): void {
    const aggregate = this.destination.aggregate;
    if (this.held.has('metrics') || this.routes.metrics || !aggregate) this.accept('metrics', metric);
    else if (this.closed) this.counts.dropped++;
    else aggregate.aggregator.record(metric);
  }

  onTraceEnd(summary: TraceSummary): void {
    if (this.traces) this.release(summary);
    for (const channel of this.channels) if (channel.route.sendAtTraceEnd) channel.kick();
  }

  /** Sends everything queued or held so far; never rejects (failures are counted). */
  async forceFlush(): Promise<void> {
    if (this.destination.traces?.parts && this.heldCount > 0) this.release(undefined);
    this.collect();
    await this.collecting;
    await Promise.all(this.channels.map((c) => c.flush()));
    await this.destination.flush?.();
  }

  /**
   * Flushes, then releases files and sockets; later items are dropped and counted. With a
   * timeout, whatever is still unsent then (retries included) is given up on and counted.
   * Rejects with a {@link WriteError} if a file or stream could not be written.
   */
  async shutdown(timeoutMillis?: number): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    const giveUpAt = Date.now() + (timeoutMillis ?? Infinity);
    for (const channel of this.channels) channel.giveUpAt = giveUpAt;
    const flushed = await settlesBy(this.forceFlush(), giveUpAt);
    if (!flushed) for (const channel of this.channels) channel.abandon();
    this.closed = true;
    for (const channel of this.channels) channel.close();
    // Releasing is bounded too: a destination may wait for sends the deadline has abandoned.
    const released = await settlesBy(Promise.allSettled([this.destination.aggregate?.aggregator.shutdown(), this.destination.close?.()]), giveUpAt);
    this.destination.out?.close();
    if (!flushed || !released) this.gaveUp = `gave up after the ${timeoutMillis} ms export timeout`;
    const error = this.destination.out?.error;
    if (error !== undefined) throw new WriteError(`${this.name}: cannot write ${error}`);
  }

  stats(): ExportStats {
    const { exported, dropped, lastError } = this.counts;
    const stats: ExportStats = { exported, dropped };
    const error = this.gaveUp === undefined ? lastError : [this.gaveUp, lastError].filter(Boolean).join('; ');
    if (error !== undefined) stats.lastError = error;
    const writeError = this.destination.out?.error;
    if (writeError !== undefined) stats.writeError = writeError;
    return stats;
  }

  /** Holds an item for its trace, or queues it on its signal's route. */
  private accept<S extends Signal>(signal: S, item: TraceBatch[S][number]): void {
    if (!this.held.has(signal)) return this.routes[signal]?.push(item);
    if (this.closed) {
      this.counts.dropped++;
      return;
    }
    if (this.heldCount >= this.maxHeld) {
      if (this.destination.traces!.parts) this.release(undefined);
      else {
        this.bucket.notHeld++;
        this.counts.dropped++;
        return;
      }
    }
    (this.bucket[signal] as TraceBatch[S][number][]).push(item);
    this.heldCount++;
  }

  /** Hands what is held to the trace route: the whole trace when `summary` is given, else a part. */
  private release(summary: TraceSummary | undefined): void {
    const trace = this.bucket;
    trace.summary = summary;
    this.bucket = emptyTrace();
    this.heldCount = 0;
    this.traces!.push(trace);
  }

  /** Collects the aggregated metrics into their channel, one collection after another. */
  private collect(): void {
    const route = this.destination.aggregate;
    if (route === undefined || this.closed) return;
    this.collecting = this.collecting
      .then(async () => {
        for (const item of await route.aggregator.collect()) this.aggregated!.push(item);
      })
      .catch((err: unknown) => void (this.counts.lastError = errorText(err)));
  }
}

function emptyTrace(): TraceBatch {
  return { spans: [], logs: [], metrics: [], summary: undefined, notHeld: 0 };
}

/** One bounded queue: batches out one at a time, each retried until it succeeds, fails for good, or time is up. */
class Channel<T> {
  private items: T[] = [];
  private queued = 0;
  private inFlight = 0;
  private sending: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private abandoned = false;
  /** Epoch ms after which no retry starts (set by a shutdown with a timeout). */
  giveUpAt = Infinity;
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly delay: number;
  private readonly weight: (item: T) => number;

  constructor(
    readonly route: Route<unknown, T>,
    private readonly counts: Tally,
  ) {
    const batch = { ...DEFAULT_BATCH, ...route.batch };
    this.maxQueue = batch.maxQueueSize;
    this.maxBatch = Math.min(batch.maxExportBatchSize, batch.maxQueueSize);
    this.delay = batch.scheduledDelayMillis;
    this.weight = route.weight ? (item) => route.weight!(item) : () => 1;
  }

  push(input: unknown): void {
    if (this.closed) {
      this.counts.dropped++;
      return;
    }
    const item = this.route.prepare ? this.route.prepare(input) : (input as T);
    if (item === undefined) return;
    const weight = this.weight(item);
    if (this.queued + this.inFlight + weight > this.maxQueue) {
      this.counts.dropped += weight;
      return;
    }
    this.items.push(item);
    this.queued += weight;
    if (this.queued >= this.maxBatch) this.kick();
    else this.timer ??= unref(setTimeout(() => this.kick(), this.delay));
  }

  /** Sends what is queued now: synchronous writes all at once, network batches one at a time. */
  kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.sending === undefined && this.items.length > 0) this.send(this.take());
  }

  async flush(): Promise<void> {
    while (!this.abandoned && (this.items.length > 0 || this.sending !== undefined)) {
      this.kick();
      await this.sending;
    }
  }

  /** Counts everything still queued or in flight as dropped; later outcomes are not counted. */
  abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    this.counts.dropped += this.queued + this.inFlight;
    this.items = [];
    this.queued = 0;
    this.inFlight = 0;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private take(): T[] {
    let weight = 0;
    let n = 0;
    while (n < this.items.length && (n === 0 || weight + this.weight(this.items[n]!) <= this.maxBatch)) weight += this.weight(this.items[n++]!);
    this.queued -= weight;
    return this.items.splice(0, n);
  }

  private send(batch: T[]): void {
    const weight = batch.reduce((n, item) => n + this.weight(item), 0);
    let first: ReturnType<BatchSend<T>>;
    try {
      first = this.route.send(batch);
    } catch (err) {
      this.fail(weight, err);
      return;
    }
    if (!(first instanceof Promise)) {
      if (first === false) this.counts.dropped += weight;
      else this.counts.exported += weight;
      return;
    }
    this.inFlight = weight;
    let attempted = false;
    const attempt = (): Promise<void> => (attempted ? (this.route.send(batch) as Promise<void>) : ((attempted = true), first));
    const retry = this.route.retry;
    const sent = retry === false ? first : withRetry(attempt, retry, () => this.giveUpAt);
    this.sending = sent
      .then(
        () => void (this.abandoned || (this.counts.exported += weight)),
        (err: unknown) => void (this.abandoned || this.fail(weight, err)),
      )
      .finally(() => {
        this.inFlight = 0;
        this.sending = undefined;
        // What arrived while this batch was out goes next, without waiting for the timer.
        if (this.queued >= this.maxBatch) this.kick();
        else if (this.items.length > 0) this.timer ??= unref(setTimeout(() => this.kick(), this.delay));
      });
  }

  private fail(weight: number, err: unknown): void {
    this.counts.drop(weight, errorText(err));
  }
}

/** Node and Deno timers keep the process alive unless unref'd; browsers' and workers' are numbers. */
export function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
