/**
 * `wasm-observe run` as users run it: a child process configured by flags and the standard
 * environment variables, sending to loopback backends.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_IMPORTS, Guest } from '../helpers/wat.ts';
import { Backend, DEMO_WAT, freePort } from './loopback.ts';
import { decodeAll } from './otlp-receiver.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    // No OTEL_/DD_ settings leak in from the machine running the tests.
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OTEL_|DD_|TRACEPARENT)/.test(k)));
    // A short export timeout: a test with no backend waits out this, not the 10 s default.
    const child = spawn(process.execPath, ['--import', 'tsx', 'host/cli/main.ts', 'run', '--export-timeout', '2', ...args], {
      cwd: ROOT,
      env: { ...clean, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stderr, ms: performance.now() - started }));
  });
}

/** A reactor that opens `n` spans, each with a log line. */
function busyGuest(n: number): string {
  const g = new Guest();
  const body = `(local $i i32)
    (loop $again
      (call $enter ${g.str('step')})
      (call $log (i32.const 3) ${g.str('working')})
      (call $exit)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const ${n}))))`;
  const path = join(mkdtempSync(join(tmpdir(), 'busy-')), 'busy.wat');
  writeFileSync(path, g.module(API_IMPORTS, body));
  return path;
}

let backend: Backend;
beforeEach(async () => void (backend = await new Backend().start()));
afterEach(() => backend.stop());

describe('wasm-observe run with network exporters', () => {
  it('--exporter otlp with only OTEL_EXPORTER_OTLP_ENDPOINT delivers all three signals under --traceparent', async () => {
    const tp = '00-11112222333344445555666677778888-9999aaaabbbbcccc-01';
    const { code, stderr } = await cli([DEMO_WAT, '--exporter', 'otlp', '--traceparent', tp], { OTEL_EXPORTER_OTLP_ENDPOINT: backend.url });
    expect(stderr).not.toMatch(/dropped/);
    expect(code).toBe(0);
    const { spans, logs, metrics } = decodeAll(backend.requests);
    expect(spans).toHaveLength(4);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set(['11112222333344445555666677778888']));
    expect(spans.find((s) => s.name === 'handle-request')!.parentSpanId).toBe('9999aaaabbbbcccc');
    expect(logs).toHaveLength(3);
    expect(logs.every((l) => l.traceId === '11112222333344445555666677778888')).toBe(true);
    expect(metrics.map((m) => m.name).sort()).toEqual(['render.time', 'requests']);
  });

  it('honours TRACEPARENT, OTEL_TRACES_EXPORTER and OTEL_RESOURCE_ATTRIBUTES without flags', async () => {
    const { code } = await cli([DEMO_WAT], {
      TRACEPARENT: '00-aaaabbbbccccddddeeeeffff00001111-2222333344445555-01',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_ENDPOINT: backend.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'from-env',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=ci',
    });
    expect(code).toBe(0);
    expect(backend.requests.map((r) => r.path)).toEqual(['/v1/traces']);
    const body = JSON.parse(backend.requests[0]!.body.toString());
    const resource = Object.fromEntries(body.resourceSpans[0].resource.attributes.map((a: any) => [a.key, a.value.stringValue]));
    expect(resource).toMatchObject({ 'service.name': 'from-env', 'deployment.environment': 'ci' });
    expect(body.resourceSpans[0].scopeSpans[0].spans[0].traceId).toBe('aaaabbbbccccddddeeeeffff00001111');
  });

  it('a backend killed mid-run changes nothing for the guest; the drops are reported', async () => {
    const guest = busyGuest(5000);
    // Stop the backend as soon as the first batch has arrived.
    const stopped = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (backend.requests.length > 0) {
          clearInterval(timer);
          void backend.stop().then(resolve);
        }
      }, 1);
    });
    const { code, stderr } = await cli([guest, '--invoke', 'run', '--exporter', 'otlp', '--exporter', 'stdout'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: backend.url,
      OTEL_EXPORTER_OTLP_TIMEOUT: '1500',
      OTEL_METRICS_EXPORTER: 'none',
    });
    await stopped;
    backend = await new Backend().start(); // for afterEach
    expect(code).toBe(0);
    expect(stderr).toMatch(/trace [0-9a-f]{32} invoke run/); // the stdout exporter still printed the trace
    expect(stderr).toMatch(/wasm-observe: exporter otlp dropped \d+ items/);
  });

  it('finishes, within the retry deadline, and reports when no backend listens at all', async () => {
    const port = await freePort();
    const { code, stderr, ms } = await cli([DEMO_WAT, '--exporter', 'datadog', '--exporter', 'zipkin', '--dd-logs', '-'], {
      DD_TRACE_AGENT_URL: `http://127.0.0.1:${port}`,
      DD_DOGSTATSD_URL: `udp://127.0.0.1:${port}`,
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: `http://127.0.0.1:${port}/api/v2/spans`,
    });
    expect(code).toBe(0);
    // 4 spans, plus the metric lines the refused UDP port reported in time.
    expect(stderr).toMatch(/exporter datadog dropped [4-6] items \(.*ECONNREFUSED/);
    expect(stderr).toMatch(/exporter zipkin dropped 4 items/);
    expect(stderr).toMatch(/"dd\.trace_id":"\d+"/); // logs went to stderr as JSON lines
    expect(ms).toBeLessThan(20_000);
  });
});
