/**
 * The delivery layer every exporter sits on: batches, bounded queues, per-trace holding, retry
 * with backoff, drop counting, flush and the one shutdown deadline. Items are real spans, logs
 * and metrics from the trace builder; the destinations are plain `send` functions.
 */
import { describe, expect, it } from 'vitest';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Delivery, type TraceBatch } from '../../host/exporters/delivery.ts';
import { DeliveryError } from '../../host/exporters/retry.ts';
import type { TelemetryExporter } from '../../host/exporters/exporter.ts';
import { Observer } from '../../host/observer.ts';
import { build, enter, exit, log } from '../trace/harness.ts';

/** A trace of `n` spans, each with a log line. */
function trace(n: number) {
  return build(Array.from({ length: n }, (_, i) => [enter(`s${i}`), log(`l${i}`), exit]).flat());
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('delivery', () => {
  it('sends full batches at once and the rest on flush, one network batch at a time', async () => {
    const batches: number[] = [];
    let inFlight = 0;
    let most = 0;
    const exporter = new Delivery({
      name: 'test',
      spans: {
        batch: { maxExportBatchSize: 3, scheduledDelayMillis: 60_000 },
        send: async (batch: ReadableSpan[]) => {
          most = Math.max(most, ++inFlight);
          await tick();
          inFlight--;
          batches.push(batch.length);
        },
      },
    });
    for (const span of trace(7).spans) exporter.onSpan(span);
    await tick();
    expect(batches).toEqual([3]);
    await exporter.forceFlush();
    expect(batches).toEqual([3, 3, 1]);
    expect(most).toBe(1);
    expect(exporter.stats()).toEqual({ exported: 7, dropped: 0 });
  });

  it('drops and counts at the door when queued plus in flight reach the queue size', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const exporter = new Delivery({ name: 'test', logs: { batch: { maxQueueSize: 4, maxExportBatchSize: 2 }, send: () => blocked } });
    for (const record of trace(10).logs) exporter.onLog(record);
    expect(exporter.stats()).toEqual({ exported: 0, dropped: 6 });
    release();
    await exporter.shutdown();
    expect(exporter.stats()).toEqual({ exported: 4, dropped: 6 });
  });

  it('retries a retryable failure with backoff, and gives up on one that is not', async () => {
    /** Sends two spans to a backend answering `failures` times with `error` first; returns the attempts made. */
    async function attempts(failures: number, error: DeliveryError) {
      let made = 0;
      const exporter = new Delivery({
        name: 'test',
        spans: {
          retry: { initialBackoffMs: 5 },
          send: async () => {
            if (++made <= failures) throw error;
          },
        },
      });
      for (const span of trace(2).spans) exporter.onSpan(span);
      await exporter.shutdown();
      return { made, stats: exporter.stats() };
    }
    expect(await attempts(2, new DeliveryError('HTTP 503', true))).toEqual({ made: 3, stats: { exported: 2, dropped: 0 } });
    expect(await attempts(Infinity, new DeliveryError('HTTP 400: bad', false))).toEqual({ made: 1, stats: { exported: 0, dropped: 2, lastError: 'HTTP 400: bad' } });
  });

  it('holds a trace until it ends and hands it over whole, with its summary', async () => {
    const traces: TraceBatch[] = [];
    const exporter = new Delivery({
      name: 'test',
      traces: { hold: ['spans', 'logs', 'metrics'], send: (batch: TraceBatch[]) => void traces.push(...batch), sendAtTraceEnd: true },
    });
    const { spans, logs, summary } = trace(3);
    for (const span of spans) exporter.onSpan(span);
    for (const record of logs) exporter.onLog(record);
    expect(traces).toEqual([]);
    exporter.onTraceEnd(summary);
    expect(traces).toHaveLength(1);
    expect(traces[0]).toMatchObject({ summary, notHeld: 0 });
    expect(traces[0]!.spans).toEqual(spans);
    expect(traces[0]!.logs).toEqual(logs);
    expect(exporter.stats()).toEqual({ exported: 6, dropped: 0 });
  });

  it('past the hold limit: sends parts, or keeps the first items and counts the rest', () => {
    const { spans, summary } = trace(5);
    const parts: TraceBatch[] = [];
    const split = new Delivery({ name: 'parts', traces: { hold: ['spans'], maxHeld: 2, parts: true, send: (b: TraceBatch[]) => void parts.push(...b), sendAtTraceEnd: true } });
    const whole: TraceBatch[] = [];
    const capped = new Delivery({ name: 'capped', traces: { hold: ['spans'], maxHeld: 2, send: (b: TraceBatch[]) => void whole.push(...b), sendAtTraceEnd: true } });
    for (const exporter of [split, capped]) {
      for (const span of spans) exporter.onSpan(span);
      exporter.onTraceEnd(summary);
    }
    expect(parts.map((p) => [p.spans.length, p.summary === undefined])).toEqual([
      [2, true],
      [2, true],
      [1, false],
    ]);
    expect(split.stats()).toEqual({ exported: 5, dropped: 0 });
    expect(whole.map((p) => [p.spans.length, p.notHeld])).toEqual([[2, 3]]);
    expect(capped.stats()).toEqual({ exported: 2, dropped: 3 });
  });

  it('one deadline for the whole shutdown, retries included: no retry starts after it', async () => {
    const attempts: number[] = [];
    const started = performance.now();
    const exporter = new Delivery({
      name: 'down',
      spans: {
        retry: { initialBackoffMs: 100 },
        send: async () => {
          attempts.push(performance.now() - started);
          throw new DeliveryError('connect ECONNREFUSED', true);
        },
      },
    });
    for (const span of trace(3).spans) exporter.onSpan(span);
    await exporter.shutdown(300);
    expect(performance.now() - started).toBeLessThan(300 + 50);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.every((t) => t < 300)).toBe(true);
    expect(exporter.stats()).toEqual({ exported: 0, dropped: 3, lastError: 'connect ECONNREFUSED' });
  });

  it('a send still out at the deadline is given up on, counted, and not counted again when it ends', async () => {
    let answer!: () => void;
    const exporter = new Delivery({ name: 'slow', spans: { send: () => new Promise<void>((resolve) => (answer = resolve)) } });
    for (const span of trace(3).spans) exporter.onSpan(span);
    const started = performance.now();
    await exporter.shutdown(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(exporter.stats()).toEqual({ exported: 0, dropped: 3, lastError: 'gave up after the 200 ms export timeout' });
    answer();
    await tick();
    expect(exporter.stats()).toEqual({ exported: 0, dropped: 3, lastError: 'gave up after the 200 ms export timeout' });
  });

  it('a write that fails drops its batch; items after shutdown are dropped and counted', async () => {
    const exporter = new Delivery({ name: 'file', spans: { batch: { maxExportBatchSize: 1 }, send: () => false } });
    const { spans } = trace(2);
    exporter.onSpan(spans[0]!);
    expect(exporter.stats()).toEqual({ exported: 0, dropped: 1 });
    await exporter.shutdown();
    exporter.onSpan(spans[1]!);
    expect(exporter.stats()).toEqual({ exported: 0, dropped: 2 });
  });

  it('under the Observer, an exporter that honours the deadline reports it once; one that ignores it is given up on just after', async () => {
    const honours = new Delivery({ name: 'slow', spans: { send: () => new Promise<void>(() => {}) } });
    const hangs: TelemetryExporter = {
      name: 'hangs',
      onSpan() {},
      onLog() {},
      onMetric() {},
      onTraceEnd() {},
      forceFlush: () => Promise.resolve(),
      shutdown: () => new Promise<void>(() => {}),
      stats: () => ({ exported: 1, dropped: 0 }),
    };
    const observer = new Observer({ exporters: [honours, hangs], exportTimeoutMillis: 200 });
    observer.startTrace('run');
    for (const span of trace(2).spans) honours.onSpan(span);
    const started = performance.now();
    await observer.shutdown();
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(observer.exportStats()).toEqual({
      slow: { exported: 0, dropped: 2, lastError: 'gave up after the 200 ms export timeout' },
      hangs: { exported: 1, dropped: 0, lastError: 'gave up: shutdown did not finish within the 200 ms export timeout' },
    });
  });
});
