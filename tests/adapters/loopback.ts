/**
 * Test backends on 127.0.0.1: an HTTP server that records every request and answers as told
 * (status, delay), a UDP listener that keeps every packet, and helpers to run a guest, to pick
 * free ports and to decode what a Datadog agent received.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { decode } from '@msgpack/msgpack';
import type { DatadogSpan } from '../../host/exporters/datadog-span.ts';
import { Observer, type ObserverOptions } from '../../host/observer.ts';
import { runWasi, loadWasm, type RunResult } from '../../host/node/index.ts';
import type { TelemetryExporter } from '../../host/exporters/exporter.ts';
import type { SpanContext } from '@opentelemetry/api';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** What the backend answered. */
  status: number;
}

export interface Behaviour {
  status?: number;
  delayMs?: number;
  body?: string;
  contentType?: string;
}

export class Backend {
  readonly requests: Received[] = [];
  /** How to answer; change it between requests to simulate an outage. */
  behaviour: Behaviour = {};
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const { status = 200, delayMs = 0, body: answer = '{}', contentType = 'application/json' } = this.behaviour;
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, status });
        const reply = () => {
          if (res.destroyed) return;
          res.writeHead(status, { 'content-type': contentType });
          res.end(answer);
        };
        if (delayMs > 0) setTimeout(reply, delayMs);
        else reply();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Requests to `path` that were answered with success. */
  on(path: string): Received[] {
    return this.requests.filter((r) => r.path === path && r.status < 300);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A span as the Datadog agent reads it from a v0.4 payload: the wire format the exporter writes. */
export type AgentSpan = DatadogSpan;

/** The traces `agent` accepted on /v0.4/traces, decoded from msgpack (ids as unsigned 64-bit BigInts). */
export function traces(agent: Backend): AgentSpan[][] {
  return agent.on('/v0.4/traces').flatMap((r) => decode(r.body, { useBigInt64: true }) as AgentSpan[][]);
}

export interface UdpListener {
  port: number;
  /** `udp://127.0.0.1:<port>` */
  url: string;
  /** Every packet received, as text. */
  packets: string[];
  /** Every line of every packet. */
  lines(): string[];
  close(): Promise<void>;
}

/** A UDP socket on 127.0.0.1 that keeps what it receives (a statsd daemon or DogStatsD stand-in). */
export async function udpListener(): Promise<UdpListener> {
  const packets: string[] = [];
  const socket = createSocket('udp4').on('message', (m) => packets.push(m.toString()));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    port,
    url: `udp://127.0.0.1:${port}`,
    packets,
    lines: () => packets.flatMap((p) => p.split('\n')),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** A port nothing listens on (bound, then released). */
export async function freePort(kind: 'tcp' | 'udp' = 'tcp'): Promise<number> {
  if (kind === 'udp') {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const { port } = socket.address();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    return port;
  }
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const DEMO_WAT = fileURLToPath(new URL('../../examples/wat/demo.wat', import.meta.url));

/** Runs the demo guest (or another) once under an Observer with these exporters; not shut down. */
export async function runGuest(
  exporters: TelemetryExporter[],
  options: { parent?: SpanContext; wat?: string; wasm?: Uint8Array; invoke?: string; observer?: Partial<ObserverOptions> } = {},
): Promise<{ observer: Observer; result: RunResult }> {
  const observer = new Observer({ exporters, serviceName: 'adapter-test', ...options.observer });
  const source = options.wasm ?? (await loadWasm(options.wat ?? DEMO_WAT));
  const result = await runWasi(source, { observer, parent: options.parent, invoke: options.invoke, stdio: [0, 2, 2] });
  return { observer, result };
}
