/**
 * OTLP over gRPC: a loopback grpc-js server implementing the three OTLP collector services,
 * taking the requests as raw bytes and decoding them with the OTLP protobuf schema.
 */
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OtlpExporter } from '../../host/exporters/otlp.ts';
import { parseTraceparent } from '../../host/trace/parent.ts';
import { runGuest } from './loopback.ts';
import { collect, type FlatLog, type FlatMetric, type FlatSpan } from './otlp-receiver.ts';
import { decodeProtobuf, type RequestKind } from './otlp-schema.ts';

const SERVICES: [string, RequestKind][] = [
  ['opentelemetry.proto.collector.trace.v1.TraceService', 'ExportTraceServiceRequest'],
  ['opentelemetry.proto.collector.logs.v1.LogsService', 'ExportLogsServiceRequest'],
  ['opentelemetry.proto.collector.metrics.v1.MetricsService', 'ExportMetricsServiceRequest'],
];

const raw = (b: Buffer): Buffer => b;

let server: Server;
let port = 0;
let received: { spans: FlatSpan[]; logs: FlatLog[]; metrics: FlatMetric[] };
let metadata: Record<string, unknown>[];

beforeEach(async () => {
  received = { spans: [], logs: [], metrics: [] };
  metadata = [];
  server = new Server();
  for (const [service, kind] of SERVICES) {
    const definition: ServiceDefinition = {
      Export: {
        path: `/${service}/Export`,
        requestStream: false,
        responseStream: false,
        requestSerialize: raw,
        requestDeserialize: raw,
        responseSerialize: raw,
        responseDeserialize: raw,
      },
    };
    const implementation: UntypedServiceImplementation = {
      Export: (call: { request: Buffer; metadata: { getMap(): Record<string, unknown> } }, done: (err: null, reply: Buffer) => void) => {
        collect(kind, decodeProtobuf(kind, call.request) as Record<string, unknown>, received);
        metadata.push(call.metadata.getMap());
        done(null, Buffer.alloc(0)); // an empty Export*ServiceResponse: full success
      },
    };
    server.addService(definition, implementation);
  }
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
});
afterEach(() => server.forceShutdown());

describe('otlp exporter over gRPC', () => {
  it('sends all three signals with the official gRPC exporters and headers as metadata', async () => {
    const otlp = new OtlpExporter({
      env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=acme' },
    });
    const { observer } = await runGuest([otlp], { parent: parseTraceparent('00-0123456789abcdef0123456789abcdef-0123456789abcdef-01') });
    await observer.shutdown();

    expect(received.spans.map((s) => s.name).sort()).toEqual(['handle-request', 'parse', 'render', 'respond']);
    expect(received.spans.every((s) => s.traceId === '0123456789abcdef0123456789abcdef')).toBe(true);
    expect(received.logs).toHaveLength(3);
    expect(received.metrics.map((m) => m.name).sort()).toEqual(['render.time', 'requests']);
    expect(metadata[0]).toMatchObject({ 'x-tenant': 'acme' });
    expect(otlp.stats()).toMatchObject({ dropped: 0 });
  });
});
