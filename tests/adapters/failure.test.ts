/**
 * Backends that fail: refusing (500), slow (answers after the timeout), absent (nothing
 * listens), or overwhelmed (queue full). The guest always finishes at full speed, shutdown
 * returns within the configured timeout, and every lost item is counted.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watToWasm } from '../../host/node/load.ts';
import { OtlpExporter } from '../../host/exporters/otlp.ts';
import { ZipkinExporter } from '../../host/exporters/zipkin.ts';
import { DatadogExporter } from '../../host/exporters/datadog.ts';
import { API_IMPORTS, Guest } from '../helpers/wat.ts';
import { Backend, freePort, runGuest } from './loopback.ts';

let backend: Backend;
beforeEach(async () => void (backend = await new Backend().start()));
afterEach(() => backend.stop());

/** A reactor opening `n` spans. */
async function spansGuest(n: number): Promise<Uint8Array> {
  const g = new Guest();
  const body = `(local $i i32)
    (loop $again
      (call $enter ${g.str('step')}) (call $exit)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const ${n}))))`;
  return watToWasm(g.module(API_IMPORTS, body));
}

function otlp(url: string, extra: ConstructorParameters<typeof OtlpExporter>[0] = {}): OtlpExporter {
  return new OtlpExporter({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_TIMEOUT: '400' }, ...extra });
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

describe('exporters under failure', () => {
  it('a backend answering 500 (not retryable in OTLP): everything is counted as dropped', async () => {
    backend.behaviour = { status: 500, body: 'internal' };
    const exporter = otlp(backend.url);
    const { observer, result } = await runGuest([exporter]);
    expect(result.exitCode).toBe(0);
    await observer.shutdown();
    expect(exporter.stats()).toMatchObject({ exported: 0, dropped: 4 + 3 + 2 });
    expect(exporter.stats().lastError).toMatch(/Internal Server Error/);
    expect(backend.requests).toHaveLength(3); // one per signal, no retries
  });

  it('a slow backend: the guest is not slowed, shutdown ends at the timeout, drops are counted', async () => {
    const wasm = await spansGuest(2000);
    const [, baseline] = await timed(() => runGuest([], { wasm, invoke: 'run' }));
    backend.behaviour = { delayMs: 5000 };
    const exporter = otlp(backend.url);
    const [{ observer }, guestMs] = await timed(() => runGuest([exporter], { wasm, invoke: 'run' }));
    const [, shutdownMs] = await timed(() => observer.shutdown());
    expect(guestMs).toBeLessThan(baseline * 3 + 200);
    expect(shutdownMs).toBeLessThan(3000);
    expect(exporter.stats().dropped).toBe(2000);
    expect(exporter.stats().lastError).toMatch(/timed out|timeout/i);
  });

  it('a backend that never answers: the whole shutdown flush ends within the export timeout', async () => {
    backend.behaviour = { delayMs: 60_000 };
    const exporters = [
      new OtlpExporter({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: backend.url, OTEL_EXPORTER_OTLP_TIMEOUT: '1000' } }),
      new ZipkinExporter({ url: `${backend.url}/api/v2/spans` }),
      new DatadogExporter({ env: { DD_TRACE_AGENT_URL: backend.url }, logs: { url: `${backend.url}/api/v2/logs` } }),
    ];
    // Enough spans for several batches, each of which would wait out its own timeout and retries.
    const { observer } = await runGuest(exporters, { wasm: await spansGuest(2000), invoke: 'run', observer: { exportTimeoutMillis: 1000 } });
    const [, shutdownMs] = await timed(() => observer.shutdown());
    expect(shutdownMs).toBeGreaterThanOrEqual(990);
    expect(shutdownMs).toBeLessThan(1600);
    const stats = observer.exportStats();
    expect(Object.keys(stats).filter((name) => stats[name]!.lastError?.startsWith('gave up after the 1000 ms export timeout'))).toEqual(['otlp', 'zipkin', 'datadog']);
  });

  it('no backend at all: connection refused is retried within the timeout, then counted', async () => {
    const port = await freePort();
    const exporter = otlp(`http://127.0.0.1:${port}`);
    const zipkin = new ZipkinExporter({ url: `http://127.0.0.1:${port}/api/v2/spans`, retry: { initialBackoffMs: 20, deadlineMs: 300 } });
    const { observer, result } = await runGuest([exporter, zipkin]);
    expect(result.exitCode).toBe(0);
    const [, shutdownMs] = await timed(() => observer.shutdown());
    expect(shutdownMs).toBeLessThan(3000);
    expect(exporter.stats()).toMatchObject({ exported: 0, dropped: 9 });
    expect(exporter.stats().lastError).toMatch(/ECONNREFUSED/);
    expect(zipkin.stats()).toMatchObject({ exported: 0, dropped: 4 });
  });

  it('a full queue drops at the door and counts; what fits is delivered', async () => {
    backend.behaviour = { delayMs: 200 };
    const exporter = otlp(backend.url, { batch: { maxQueueSize: 100, maxExportBatchSize: 50 }, env: { OTEL_EXPORTER_OTLP_ENDPOINT: backend.url } });
    const { observer } = await runGuest([exporter], { wasm: await spansGuest(1000), invoke: 'run' });
    await observer.shutdown();
    // The guest holds the thread: the gate admits exactly the queue size, the rest is counted.
    expect(exporter.stats()).toEqual({ exported: 100, dropped: 900 });
    expect(observer.exportStats().otlp).toEqual(exporter.stats());
  });

  it('forceFlush delivers what is pending without shutting down', async () => {
    const exporter = otlp(backend.url);
    const { observer } = await runGuest([exporter]);
    expect(backend.on('/v1/traces')).toHaveLength(0); // batched: nothing sent yet
    await observer.forceFlush();
    expect(backend.on('/v1/traces')).toHaveLength(1);
    expect(backend.on('/v1/metrics')).toHaveLength(1);
    await observer.shutdown();
  });
});
