/**
 * The CLI's options come from the exporters' declarations: the usage lists every exporter and
 * every flag it declares, flags with fixed values refuse others, and `--export-timeout` is one
 * deadline for the whole final flush.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { EXPORTERS } from '../../host/exporters/catalog.ts';
import { udpListener } from '../adapters/loopback.ts';

const DEMO = 'examples/wat/demo.wat';
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/wasm-observe.js', ...args], { encoding: 'utf8' });

describe('options declared by each exporter', () => {
  it('run --help lists every exporter and every flag its declaration has, with the values it takes', () => {
    const help = cli('run', '--help');
    expect(help.status).toBe(0);
    for (const [name, declaration] of Object.entries(EXPORTERS)) {
      expect(help.stdout).toMatch(new RegExp(`^  ${name} +${declaration.summary.split('\n')[0]!.replace(/[()*.$]/g, '\\$&')}`, 'm'));
      for (const [flag, spec] of Object.entries(declaration.flags ?? {})) {
        expect(help.stdout).toContain(`  --${flag}${spec.arg ? ` ${spec.arg}` : ''} `);
      }
    }
    expect(help.stdout).toContain('--export-timeout <s>');
  });

  it('refuses a value a flag does not take, and a malformed pair, as usage errors', () => {
    const dialect = cli('run', DEMO, '--exporter', 'statsd', '--statsd-dialect', 'graphite');
    expect(dialect.status).toBe(2);
    expect(dialect.stderr).toContain("--statsd-dialect takes statsd, dogstatsd, not 'graphite'");
    const tag = cli('run', DEMO, '--exporter', 'datadog', '--dd-tag', 'no-colon');
    expect(tag.status).toBe(2);
    expect(tag.stderr).toContain("--dd-tag takes A:B, not 'no-colon'");
    const shared = cli('run', DEMO, '--exporter', 'otlp-jsonl', '--exporter', 'perfetto', '--out', 'both.json');
    expect(shared.status).toBe(2);
    expect(shared.stderr).toContain('--out is for one exporter, not otlp-jsonl and perfetto');
    const unknown = cli('run', DEMO, '--exporter', 'jaeger');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown exporter 'jaeger' \(known: stdout, otlp-jsonl, otlp, .*perfetto, none\)/);
  });

  it('--clock coarse: every log record carries the time of a span event; other modes are refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-observe-clock-'));
    try {
      const out = join(dir, 'out.jsonl');
      const run = cli('run', DEMO, '--exporter', 'otlp-jsonl', '--out', out, '--clock', 'coarse');
      expect(run.status, run.stderr).toBe(0);
      const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const spans = lines.flatMap((l) => l.resourceSpans ?? []).flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans)); // eslint-disable-line @typescript-eslint/no-explicit-any
      const logs = lines.flatMap((l) => l.resourceLogs ?? []).flatMap((r: any) => r.scopeLogs.flatMap((s: any) => s.logRecords)); // eslint-disable-line @typescript-eslint/no-explicit-any
      const spanTimes = new Set(spans.flatMap((s: { startTimeUnixNano: string; endTimeUnixNano: string }) => [String(s.startTimeUnixNano), String(s.endTimeUnixNano)]));
      const inSpans = logs.filter((l: { spanId?: string }) => l.spanId);
      expect(inSpans.length).toBeGreaterThan(0);
      for (const log of inSpans) expect(spanTimes).toContain(String(log.timeUnixNano));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const bad = cli('run', DEMO, '--clock', 'fast');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--clock takes precise, coarse, not 'fast'");
  });

  it('passes a declared flag to its exporter as a typed option (--dd-service)', () => {
    const run = cli('run', DEMO, '--exporter', 'datadog', '--dd-service', 'checkout', '--dd-agent-url', 'http://127.0.0.1:9', '--dd-logs', '-', '--export-timeout', '0.3');
    expect(run.status).toBe(0);
    const logs = run.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(logs.length).toBe(3);
    expect(new Set(logs.map((l) => l.service))).toEqual(new Set(['checkout']));
  });

  it('a flag added to the catalog reaches its exporter: --statsd-prefix prefixes every metric sent over UDP', async () => {
    const statsd = await udpListener();
    try {
      const child = spawn(process.execPath, ['bin/wasm-observe.js', 'run', DEMO, '--exporter', 'statsd', '--statsd-url', statsd.url, '--statsd-prefix', 'app'], { stdio: 'ignore' });
      expect(await new Promise((done) => child.on('close', done))).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(statsd.lines()).toEqual(['app.requests:1|c|#route:greet', 'app.render.time:3.5|ms']);
    } finally {
      await statsd.close();
    }
  });

  it('--export-timeout bounds the whole final flush against a backend that never answers', async () => {
    const hanging = createServer(() => {});
    await new Promise<void>((ready) => hanging.listen(0, '127.0.0.1', ready));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    try {
      const started = performance.now();
      const child = spawn(process.execPath, ['bin/wasm-observe.js', 'run', DEMO, '--exporter', 'otlp', '--otlp-endpoint', url, '--exporter', 'zipkin', '--zipkin-url', `${url}/api/v2/spans`, '--export-timeout', '0.5'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c));
      const code = await new Promise((done) => child.on('close', done));
      const ms = performance.now() - started;
      expect(code).toBe(0);
      expect(stderr).toMatch(/exporter otlp dropped 9 items \(gave up after the 500 ms export timeout/);
      expect(stderr).toMatch(/exporter zipkin dropped 4 items \(gave up after the 500 ms export timeout/);
      expect(ms).toBeLessThan(5000);
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });
});
