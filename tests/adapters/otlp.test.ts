/**
 * The `otlp` exporter against a loopback OTLP/HTTP receiver that decodes what arrives with the
 * OTLP protobuf schema or as OTLP/JSON: all three signals, inside the caller's trace.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OtlpExporter } from '../../host/exporters/otlp.ts';
import { parseTraceparent } from '../../host/trace/parent.ts';
import { Backend, runGuest } from './loopback.ts';
import { decodeAll } from './otlp-receiver.ts';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

let backend: Backend;
beforeEach(async () => void (backend = await new Backend().start()));
afterEach(() => backend.stop());

function checkDemo(received: ReturnType<typeof decodeAll>): void {
  const { spans, logs, metrics } = received;
  expect(spans.map((s) => s.name).sort()).toEqual(['handle-request', 'parse', 'render', 'respond']);
  for (const span of spans) expect(span.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  const root = spans.find((s) => s.name === 'handle-request')!;
  expect(root.parentSpanId).toBe('00f067aa0ba902b7');
  expect(root.attributes).toMatchObject({ method: 'GET', path: '/greet' });
  expect(root.service).toBe('adapter-test');
  expect(spans.find((s) => s.name === 'render')!.parentSpanId).toBe(root.spanId);

  expect(logs.map((l) => l.body).sort()).toEqual(['parse', 'request received', 'template cache miss']);
  const miss = logs.find((l) => l.body === 'template cache miss')!;
  expect(miss.severityNumber).toBe(13);
  expect(miss.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  expect(miss.spanId).toBe(spans.find((s) => s.name === 'render')!.spanId);

  const requests = metrics.find((m) => m.name === 'requests')!;
  expect(requests.points[0]).toMatchObject({ value: 1, attributes: { route: 'greet' } });
  const timer = metrics.find((m) => m.name === 'render.time')!;
  expect(timer.kind).toBe('histogram');
  expect(timer.points[0]).toMatchObject({ count: 1, sum: 3.5 });
}

describe('otlp exporter', () => {
  it('sends spans, logs and metrics as http/protobuf to OTEL_EXPORTER_OTLP_ENDPOINT, under a traceparent', async () => {
    const otlp = new OtlpExporter({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: backend.url } });
    const { observer, result } = await runGuest([otlp], { parent: parseTraceparent(TRACEPARENT) });
    expect(result.exitCode).toBe(0);
    await observer.shutdown();

    expect(backend.on('/v1/traces')[0]!.headers['content-type']).toBe('application/x-protobuf');
    checkDemo(decodeAll(backend.requests));
    expect(otlp.stats()).toMatchObject({ dropped: 0 });
    expect(otlp.stats().exported).toBeGreaterThanOrEqual(4 + 3 + 2);
  });

  it('speaks http/json when OTEL_EXPORTER_OTLP_PROTOCOL says so, with headers and per-signal endpoints', async () => {
    const otlp = new OtlpExporter({
      env: {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_ENDPOINT: backend.url,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${backend.url}/custom/v1/traces`,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=secret%20value,x-team=wasm',
        OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-team=logs',
      },
    });
    const { observer } = await runGuest([otlp], { parent: parseTraceparent(TRACEPARENT) });
    await observer.shutdown();

    const traces = backend.on('/custom/v1/traces');
    expect(traces).toHaveLength(1);
    expect(traces[0]!.headers['content-type']).toBe('application/json');
    expect(traces[0]!.headers['x-api-key']).toBe('secret value');
    expect(backend.on('/v1/logs')[0]!.headers['x-team']).toBe('logs');
    checkDemo(decodeAll(backend.requests));
  });

  it('sends only the signals OTEL_*_EXPORTER select', async () => {
    const otlp = new OtlpExporter({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: backend.url, OTEL_LOGS_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'console' } });
    const { observer } = await runGuest([otlp]);
    await observer.shutdown();
    expect(backend.requests.map((r) => r.path)).toEqual(['/v1/traces']);
  });

  it('applies a vendor preset: endpoint and API-key headers', () => {
    const otlp = new OtlpExporter({ preset: 'honeycomb', env: { HONEYCOMB_API_KEY: 'k123', HONEYCOMB_METRICS_DATASET: 'wasm' } });
    expect(otlp.config.traces).toMatchObject({ url: 'https://api.honeycomb.io/v1/traces', headers: { 'x-honeycomb-team': 'k123' } });
    expect(otlp.config.metrics!.headers).toMatchObject({ 'x-honeycomb-dataset': 'wasm' });
    expect(otlp.config.traces!.headers['x-honeycomb-dataset']).toBeUndefined();
    const ls = new OtlpExporter({ preset: 'lightstep', env: { LS_ACCESS_TOKEN: 't' } });
    expect(ls.config.logs).toMatchObject({ url: 'https://ingest.lightstep.com/v1/logs', headers: { 'lightstep-access-token': 't' } });
    void otlp.shutdown();
    void ls.shutdown();
  });
});
