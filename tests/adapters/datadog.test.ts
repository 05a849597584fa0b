/**
 * The `datadog` exporter against a loopback stand-in for the Datadog agent: it decodes the
 * v0.4 msgpack trace payload (ids as unsigned 64-bit BigInts), the JSON log intake, and the
 * DogStatsD packets.
 */
import { createSocket } from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatadogExporter } from '../../host/exporters/datadog.ts';
import { parseTraceparent } from '../../host/trace/parent.ts';
import { Observer } from '../../host/observer.ts';
import { watToWasm } from '../../host/node/load.ts';
import { API_IMPORTS, Guest } from '../helpers/wat.ts';
import { Backend, runGuest, traces, udpListener, type UdpListener } from './loopback.ts';

// Both halves of the trace id and the span id have the top bit set: they only survive as uint64.
const TRACE_ID = 'c4bf92f3577b34daf3ce929d0e0e4736';
const PARENT_ID = 'f0f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

let agent: Backend;
let dogstatsd: UdpListener;
beforeEach(async () => {
  agent = await new Backend().start();
  dogstatsd = await udpListener();
});
afterEach(async () => {
  await dogstatsd.close();
  await agent.stop();
});

function exporter(extra: ConstructorParameters<typeof DatadogExporter>[0] = {}): DatadogExporter {
  return new DatadogExporter({
    env: { DD_TRACE_AGENT_URL: agent.url, DD_SERVICE: 'wasm-svc', DD_ENV: 'test', DD_VERSION: '1.2.3', DD_TAGS: 'team:edge' },
    statsd: { url: dogstatsd.url },
    logs: { url: `${agent.url}/api/v2/logs`, apiKey: 'dd-key' },
    retry: { initialBackoffMs: 20, deadlineMs: 400 },
    ...extra,
  });
}

describe('datadog exporter', () => {
  it('sends the trace to the agent as v0.4 msgpack with unsigned 64-bit ids, meta and metrics', async () => {
    const dd = exporter({
      traceType: 'web',
      metadata: () => ({ resourceName: 'GET /greet', httpMethod: 'GET', httpStatusCode: 200, spanKind: 'server' }),
    });
    const { observer, result } = await runGuest([dd], { parent: parseTraceparent(TRACEPARENT) });
    expect(result.exitCode).toBe(0);
    await observer.shutdown();

    const [request] = agent.on('/v0.4/traces');
    expect(request!.method).toBe('PUT');
    expect(request!.headers['content-type']).toBe('application/msgpack');
    expect(request!.headers['x-datadog-trace-count']).toBe('1');
    // msgpack uint64 (0xcf) followed by the id's low 64 bits, as dd-trace writes ids.
    expect(request!.body.includes(Buffer.from(`cf${TRACE_ID.slice(16)}`, 'hex'))).toBe(true);
    const [trace] = traces(agent);
    expect(trace).toHaveLength(4);
    for (const span of trace!) {
      expect(span.trace_id).toBe(BigInt(`0x${TRACE_ID.slice(16)}`));
      expect(span.service).toBe('wasm-svc');
      expect(span.type).toBe('web');
      expect(span.meta).toMatchObject({ env: 'test', version: '1.2.3', team: 'edge' });
      expect(typeof span.start).toBe('bigint');
      expect(Number(span.start / 1_000_000n)).toBeGreaterThan(Date.now() - 60_000);
    }
    const root = trace!.find((s) => s.name === 'handle-request')!;
    expect(root.parent_id).toBe(BigInt(`0x${PARENT_ID}`));
    expect(root.parent_id > 2n ** 63n).toBe(true);
    expect(root.resource).toBe('GET /greet');
    expect(root.meta).toMatchObject({ method: 'GET', path: '/greet', 'http.method': 'GET', 'http.status_code': '200', 'span.kind': 'server' });
    expect(root.error).toBe(0);
    expect(root.metrics['_sampling_priority_v1']).toBe(1);
    expect(trace![0]!.meta['_dd.p.tid']).toBe(TRACE_ID.slice(0, 16));
    const render = trace!.find((s) => s.name === 'render')!;
    expect(render.parent_id).toBe(root.span_id);
    expect(render.resource).toBe('render');
    expect(render.metrics['_sampling_priority_v1']).toBeUndefined();
    expect(render.duration).toBeGreaterThan(0n);
    expect(trace!.find((s) => s.name === 'respond')!.meta.status).toBe('200');
  });

  it('applies per-trace metadata set while the trace is open', async () => {
    const dd = exporter({ logs: false, statsd: false, metadata: { httpUrl: 'http://example.test/a' } });
    const observer = new Observer({ exporters: [dd] });
    const g = new Guest();
    const wasm = await watToWasm(g.module(API_IMPORTS, `(call $enter ${g.str('handle')}) (call $exit)`));
    const instance = await observer.instantiate(await WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>));
    const traceId = observer.startTrace('request');
    (instance.exports.run as () => void)();
    // The response is known only after the guest returned; the trace is still open.
    dd.setTraceMetadata(traceId, { resourceName: 'POST /a', httpStatusCode: 503, httpResponseContentLength: 12 });
    observer.finishTrace();
    await observer.shutdown();

    const [root] = traces(agent)[0]!;
    expect(root!.resource).toBe('POST /a');
    expect(root!.error).toBe(1); // a 5xx response marks the web span as an error
    expect(root!.meta).toMatchObject({ 'http.url': 'http://example.test/a', 'http.status_code': '503', 'http.response.content_length': '12' });
  });

  it('correlates logs by dd.trace_id / dd.span_id and sends metrics as DogStatsD', async () => {
    const dd = exporter();
    const { observer } = await runGuest([dd], { parent: parseTraceparent(TRACEPARENT) });
    await observer.shutdown();

    const [trace] = traces(agent);
    const render = trace!.find((s) => s.name === 'render')!;
    const [logRequest] = agent.on('/api/v2/logs');
    expect(logRequest!.headers['dd-api-key']).toBe('dd-key');
    const logs = JSON.parse(logRequest!.body.toString()) as Record<string, unknown>[];
    expect(logs).toHaveLength(3);
    const miss = logs.find((l) => l.message === 'template cache miss')!;
    expect(miss).toMatchObject({
      status: 'warn',
      service: 'wasm-svc',
      'dd.trace_id': render.trace_id.toString(),
      'dd.span_id': render.span_id.toString(),
      'dd.env': 'test',
      'dd.version': '1.2.3',
    });

    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = dogstatsd.lines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^requests:1\|c\|#route:greet,service:wasm-svc,team:edge,env:test,version:1\.2\.3,trace_id:c4bf92f3577b34daf3ce929d0e0e4736,span_id:[0-9a-f]{16}$/);
    expect(lines[1]).toMatch(/^render\.time:3\.5\|ms\|#service:wasm-svc,/);
    expect(dd.stats()).toMatchObject({ dropped: 0, exported: 4 + 3 + 2 });
  });

  it('retries a failing agent with backoff, then reports the drop; the guest is unaffected', async () => {
    agent.behaviour = { status: 500, body: 'boom' };
    const dd = exporter({ logs: false, statsd: false });
    const started = performance.now();
    const { observer, result } = await runGuest([dd]);
    const guestMs = performance.now() - started;
    expect(result.exitCode).toBe(0);
    await observer.shutdown();

    expect(dd.stats()).toMatchObject({ exported: 0, dropped: 4, lastError: 'HTTP 500: boom' });
    expect(agent.requests.filter((r) => r.path === '/v0.4/traces').length).toBeGreaterThan(1);
    expect(guestMs).toBeLessThan(2000);
  });

  it('delivers after the agent recovers (503 then 200)', async () => {
    agent.behaviour = { status: 503 };
    const dd = exporter({ logs: false, statsd: false, retry: { initialBackoffMs: 50, deadlineMs: 2000 } });
    const { observer } = await runGuest([dd]);
    setTimeout(() => (agent.behaviour = {}), 80);
    await observer.shutdown();
    expect(traces(agent)[0]).toHaveLength(4);
    expect(dd.stats()).toMatchObject({ exported: 4, dropped: 0 });
  });

  it('finds DogStatsD on an IPv6 DD_AGENT_HOST, as dd-trace does', async () => {
    const received: string[] = [];
    const ipv6 = createSocket('udp6').on('message', (m) => received.push(m.toString()));
    await new Promise<void>((resolve) => ipv6.bind(0, '::1', resolve));
    try {
      const env = { DD_TRACE_AGENT_URL: agent.url, DD_AGENT_HOST: '::1', DD_DOGSTATSD_PORT: String(ipv6.address().port) };
      const dd = new DatadogExporter({ env, logs: false });
      const { observer } = await runGuest([dd]);
      await observer.shutdown();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(received.join('\n')).toMatch(/^requests:1\|c\|#route:greet,service:default-wasm-service,trace_id:/m);
    } finally {
      ipv6.close();
    }
  });
});

