/**
 * `OtlpHttpExporter` (fetch, the official exporters' browser build) in Node against a loopback
 * receiver: all three signals in JSON and protobuf, headers, retry after a retryable answer, and
 * drops counted when the collector refuses. The other runtimes run it in tests/runtimes/.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OtlpHttpExporter } from '../../host/exporters/otlp-http.ts';
import { parseTraceparent } from '../../host/trace/parent.ts';
import { Backend, runGuest } from './loopback.ts';
import { decodeAll } from './otlp-receiver.ts';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

let backend: Backend;
beforeEach(async () => void (backend = await new Backend().start()));
afterEach(() => backend.stop());

describe('otlp-http exporter', () => {
  it.each(['http/json', 'http/protobuf'] as const)('sends spans, logs and metrics as %s, with headers, under a traceparent', async (protocol) => {
    const otlp = new OtlpHttpExporter({ endpoint: backend.url, protocol, headers: { 'x-api-key': 'secret' } });
    const { observer } = await runGuest([otlp], { parent: parseTraceparent(TRACEPARENT) });
    await observer.shutdown();

    const traces = backend.on('/v1/traces');
    expect(traces[0]!.headers['content-type']).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
    expect(traces[0]!.headers['x-api-key']).toBe('secret');
    const { spans, logs, metrics } = decodeAll(backend.requests);
    expect(spans.map((s) => s.name).sort()).toEqual(['handle-request', 'parse', 'render', 'respond']);
    expect(spans.find((s) => s.name === 'handle-request')!.parentSpanId).toBe('00f067aa0ba902b7');
    expect(logs.map((l) => l.traceId)).toEqual(logs.map(() => '4bf92f3577b34da6a3ce929d0e0e4736'));
    expect(metrics.map((m) => m.name)).toContain('requests');
    expect(otlp.stats()).toMatchObject({ dropped: 0 });
  });

  it('retries a 503 and delivers', async () => {
    backend.behaviour = { status: 503 };
    const otlp = new OtlpHttpExporter({ endpoint: backend.url, signals: ['traces'] });
    const { observer } = await runGuest([otlp]);
    const flushed = observer.shutdown();
    while (backend.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    backend.behaviour = {};
    await flushed;
    expect(backend.requests.map((r) => r.status)).toEqual([503, 200]);
    expect(otlp.stats()).toMatchObject({ exported: 4, dropped: 0 });
  });

  it('counts what a refusing collector did not take', async () => {
    backend.behaviour = { status: 400 };
    const otlp = new OtlpHttpExporter({ endpoint: backend.url, signals: ['traces', 'logs'] });
    const { observer } = await runGuest([otlp]);
    await observer.shutdown();
    expect(otlp.stats()).toMatchObject({ exported: 0, dropped: 4 + 3 });
    expect(otlp.stats().lastError).toMatch(/400/);
  });
});
