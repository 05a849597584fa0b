/**
 * A loopback server for the other runtimes: it records OTLP/HTTP requests (decoded by the
 * tests with the same reader as every other OTLP test) and serves tests/build/runtimes/ (guests,
 * bundles), answering CORS preflights so a page from another origin can do both.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import type { Received } from '../adapters/loopback.ts';
import { decodeAll } from '../adapters/otlp-receiver.ts';
import { OUT } from './prepare.ts';

const TYPES: Record<string, string> = { '.wasm': 'application/wasm', '.js': 'text/javascript', '.html': 'text/html' };
const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'access-control-allow-methods': 'GET, POST, OPTIONS' };

export class Receiver {
  readonly requests: Received[] = [];
  url = '';
  private server!: Server;

  constructor(private readonly root = OUT) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const path = (req.url ?? '/').split('?')[0]!;
        if (req.method === 'OPTIONS') {
          res.writeHead(204, CORS).end();
        } else if (req.method === 'POST') {
          this.requests.push({ method: 'POST', path, headers: req.headers, body: Buffer.concat(chunks), status: 200 });
          res.writeHead(200, { ...CORS, 'content-type': 'application/json' }).end('{}');
        } else {
          const file = join(this.root, normalize(path).replace(/^(\.\.[/\\])+/, ''));
          const body = await readFile(file).catch(() => undefined);
          const type = TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
          if (body) res.writeHead(200, { ...CORS, 'content-type': type }).end(body);
          else res.writeHead(404, CORS).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Every span, log record and metric received so far, decoded from JSON or protobuf. */
  decoded(): ReturnType<typeof decodeAll> {
    return decodeAll(this.requests);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
