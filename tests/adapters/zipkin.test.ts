/**
 * The `zipkin` exporter against a loopback Zipkin v2 collector (`POST /api/v2/spans`, JSON).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZipkinExporter } from '../../host/exporters/zipkin.ts';
import { parseTraceparent } from '../../host/trace/parent.ts';
import { Backend, runGuest } from './loopback.ts';

interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  localEndpoint: { serviceName: string };
  tags: Record<string, string>;
  annotations?: { timestamp: number; value: string }[];
  timestamp: number;
  duration: number;
}

let collector: Backend;
beforeEach(async () => void (collector = await new Backend().start()));
afterEach(() => collector.stop());

describe('zipkin exporter', () => {
  it('sends v2 spans to OTEL_EXPORTER_ZIPKIN_ENDPOINT, with logs and metrics as annotations', async () => {
    const zipkin = new ZipkinExporter({ env: { OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${collector.url}/api/v2/spans` } });
    const parent = parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    const { observer } = await runGuest([zipkin], { parent });
    await observer.shutdown();

    const spans = collector.on('/api/v2/spans').flatMap((r) => JSON.parse(r.body.toString()) as ZipkinSpan[]);
    expect(spans.map((s) => s.name).sort()).toEqual(['handle-request', 'parse', 'render', 'respond']);
    const root = spans.find((s) => s.name === 'handle-request')!;
    expect(root.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(root.parentId).toBe('b7ad6b7169203331');
    expect(root.localEndpoint.serviceName).toBe('adapter-test');
    expect(root.tags).toMatchObject({ method: 'GET', path: '/greet' });
    expect(root.annotations!.map((a) => a.value)).toEqual(['metric requests c 1', 'INFO request received']);
    const render = spans.find((s) => s.name === 'render')!;
    expect(render.parentId).toBe(root.id);
    expect(render.annotations!.map((a) => a.value).sort()).toEqual(['WARN template cache miss', 'metric render.time ms 3.5']);
    expect(zipkin.stats()).toEqual({ exported: 4, dropped: 0 });
  });
});
