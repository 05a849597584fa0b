/**
 * Guest traces inside the embedding program's own OpenTelemetry trace: the active span becomes
 * the guest root spans' parent, and `OtelSdkExporter` routes guest spans, logs and metrics into
 * the program's own processors and meter provider.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { InMemoryLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtelSdkExporter } from '../../host/exporters/otel-sdk.ts';
import { parseTraceparent } from '../../host/trace/parent.ts';
import { runGuest } from './loopback.ts';

class Reader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => void context.setGlobalContextManager(contextManager.enable()));
afterAll(() => {
  contextManager.disable();
  context.disable();
});

describe('inside the host program trace', () => {
  it("makes guest root spans children of the program's active span, and routes into its processors", async () => {
    const spans = new InMemorySpanExporter();
    const spanProcessor = new SimpleSpanProcessor(spans);
    const logs = new InMemoryLogRecordExporter();
    const logProcessor = new SimpleLogRecordProcessor({ exporter: logs });
    const reader = new Reader();
    const meterProvider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'host-app' }), readers: [reader] });
    const tracer = new BasicTracerProvider({ spanProcessors: [spanProcessor] }).getTracer('host-app');

    await tracer.startActiveSpan('POST /run', async (hostSpan) => {
      const { observer } = await runGuest([new OtelSdkExporter({ spanProcessors: [spanProcessor], logProcessors: [logProcessor], meterProvider })]);
      await observer.shutdown();
      hostSpan.end();
    });

    const finished = spans.getFinishedSpans();
    const host = finished.find((s) => s.name === 'POST /run')!;
    const guest = finished.filter((s) => s !== host);
    expect(guest.map((s) => s.name).sort()).toEqual(['handle-request', 'parse', 'render', 'respond']);
    for (const span of guest) expect(span.spanContext().traceId).toBe(host.spanContext().traceId);
    expect(guest.find((s) => s.name === 'handle-request')!.parentSpanContext?.spanId).toBe(host.spanContext().spanId);
    expect(guest[0]!.resource.attributes['service.name']).toBe('adapter-test');

    const records = logs.getFinishedLogRecords();
    expect(records).toHaveLength(3);
    expect(records.every((r) => r.spanContext?.traceId === host.spanContext().traceId)).toBe(true);

    const { resourceMetrics } = await reader.collect();
    expect(resourceMetrics.resource.attributes['service.name']).toBe('host-app');
    const names = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));
    expect(names.sort()).toEqual(['render.time', 'requests']);
  });

  it('an explicit parent wins over the active span', async () => {
    const tracer = new BasicTracerProvider().getTracer('host-app');
    const parent = parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')!;
    const seen: string[] = [];
    await tracer.startActiveSpan('outer', async (outer) => {
      expect(trace.getActiveSpan()).toBe(outer);
      const probe = new OtelSdkExporter({ spanProcessors: [{ onStart() {}, onEnd: (s) => void seen.push(s.spanContext().traceId), forceFlush: async () => {}, shutdown: async () => {} }] });
      const { observer } = await runGuest([probe], { parent });
      await observer.shutdown();
      outer.end();
    });
    expect(new Set(seen)).toEqual(new Set(['0af7651916cd43dd8448eb211c80319c']));
  });

  it('parses W3C traceparent with the OpenTelemetry propagator', () => {
    expect(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    });
    expect(parseTraceparent('00-00000000000000000000000000000000-b7ad6b7169203331-01')).toBeUndefined();
    expect(parseTraceparent('not a traceparent')).toBeUndefined();
    expect(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'vendor=x')?.traceState?.get('vendor')).toBe('x');
  });
});
