/**
 * Span conventions every destination shares. A span the guest fails with `error.type:<kind>`
 * (OpenTelemetry's convention) or Datadog's `error:true` is a failed span everywhere: OTLP status
 * ERROR, Datadog `error: 1` with `error.type`/`error.message`, Zipkin's `error` tag, ERROR in the
 * stdout tree. Memory growth is `allocation` in 64 KiB pages, as Dylibso's hosts report it
 * (Datadog: in meta).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatadogExporter } from '../../host/exporters/datadog.ts';
import { OtlpJsonlExporter } from '../../host/exporters/otlp-jsonl.ts';
import { StdoutExporter } from '../../host/exporters/stdout.ts';
import { ZipkinExporter } from '../../host/exporters/zipkin.ts';
import { watToWasm } from '../../host/node/load.ts';
import { API_IMPORTS, Guest, INSTRUMENT_IMPORTS } from '../helpers/wat.ts';
import { parseOtlpJsonl, scratch } from '../helpers/otlp.ts';
import { Backend, freePort, runGuest, traces } from './loopback.ts';

const tmp = scratch();
afterAll(tmp.remove);

describe('a span the guest marks failed', () => {
  it('is a failed span in OTLP, Datadog, Zipkin and the stdout tree; its growth is in pages', async () => {
    const g = new Guest();
    const wasm = await watToWasm(
      g.module(
        `${API_IMPORTS} ${INSTRUMENT_IMPORTS}`,
        `(call $enter ${g.str('fetch')}) (call $tags ${g.str('error.type:timeout')}) (call $log (i32.const 1) ${g.str('no answer in 5 s')}) (call $grow (i32.const 3)) (call $exit)
         (call $enter ${g.str('dd')}) (call $tags ${g.str('error:true,error.message:boom')}) (call $exit)
         (call $enter ${g.str('fine')}) (call $exit)`,
      ),
    );
    const agent = await new Backend().start();
    const collector = await new Backend().start();
    let tree = '';
    const path = join(tmp.dir, 'out.jsonl');
    try {
      const { observer } = await runGuest(
        [
          new OtlpJsonlExporter({ path }),
          new DatadogExporter({
            env: { DD_TRACE_AGENT_URL: agent.url },
            statsd: { url: `udp://127.0.0.1:${await freePort('udp')}` },
            logs: { url: `${agent.url}/api/v2/logs`, apiKey: 'test' },
          }),
          new ZipkinExporter({ env: { OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${collector.url}/api/v2/spans` } }),
          new StdoutExporter({ write: (t) => void (tree += t), color: false }),
        ],
        { wasm, invoke: 'run' },
      );
      await observer.shutdown();

      const otlp = parseOtlpJsonl(readFileSync(path, 'utf8')).spans;
      const status = (name: string) => otlp.find((s) => s.name === name)!.status;
      expect(status('fetch')).toEqual({ code: 2, message: 'timeout' });
      expect(status('dd')).toEqual({ code: 2, message: 'boom' });
      expect(status('fine').code ?? 0).toBe(0);
      expect(otlp.find((s) => s.name === 'fetch')!.attributes).toMatchObject({ allocation: 3, 'allocation.bytes': 3 * 65536 });

      const dd = traces(agent).flat();
      const ddSpan = (name: string) => dd.find((s) => s.name === name)!;
      expect(ddSpan('fetch')).toMatchObject({
        error: 1,
        meta: { 'error.type': 'timeout', 'error.message': 'timeout', allocation: '3' },
        metrics: { 'allocation.bytes': 3 * 65536 },
      });
      expect(ddSpan('dd')).toMatchObject({ error: 1, meta: { error: 'true', 'error.message': 'boom' } });
      expect(ddSpan('fine').error).toBe(0);

      const zipkin = collector.on('/api/v2/spans').flatMap((r) => JSON.parse(r.body.toString()) as { name: string; tags: Record<string, string> }[]);
      expect(zipkin.find((s) => s.name === 'fetch')!.tags).toMatchObject({ error: 'timeout' });
      expect(zipkin.find((s) => s.name === 'fine')!.tags.error).toBeUndefined();

      expect(tree).toMatch(/fetch .*ERROR timeout/);
      expect(tree).toMatch(/dd .*ERROR boom/);
      expect(tree).not.toMatch(/fine .*ERROR/);
    } finally {
      await agent.stop();
      await collector.stop();
    }
  });
});
