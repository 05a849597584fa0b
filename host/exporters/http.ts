/**
 * One HTTP request with a timeout, for exporters that speak to an agent or intake directly.
 * Failures come back as `DeliveryError`s that say whether a retry can help: network errors,
 * timeouts, 408, 429 and 5xx can; other statuses cannot.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DeliveryError } from './retry.ts';

export interface HttpTarget {
  url: URL;
  /** A Unix socket to connect to instead of the URL's host (`unix:///var/run/datadog/apm.socket`). */
  socketPath?: string;
}

/** `http(s)://…` as is; `unix:///path` becomes a socket path with an `http://localhost` URL. */
export function httpTarget(text: string, path = ''): HttpTarget {
  if (text.startsWith('unix://')) return { url: new URL(path, 'http://localhost'), socketPath: text.slice('unix://'.length) };
  const base = new URL(text);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`not an http(s) or unix URL: ${text}`);
  if (path === '') return { url: base };
  return { url: new URL(path, base.href.endsWith('/') ? base.href : `${base.href}/`) };
}

export interface HttpResponse {
  status: number;
  body: string;
}

export function send(
  target: HttpTarget,
  method: string,
  headers: Record<string, string>,
  body: Uint8Array | string,
  timeoutMs: number,
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const request = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      target.url,
      {
        method,
        socketPath: target.socketPath,
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.length < 64 && chunks.push(chunk));
        res.on('error', (err) => reject(new DeliveryError(err.message, true)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          if (status >= 200 && status < 300) return resolve({ status, body: text });
          const retryable = status === 408 || status === 429 || status >= 500;
          const after = Number(res.headers['retry-after']);
          const detail = text.length > 200 ? `${text.slice(0, 200)}…` : text;
          reject(new DeliveryError(`HTTP ${status}${detail ? `: ${detail}` : ''}`, retryable, after > 0 ? after * 1000 : undefined));
        });
      },
    );
    req.on('timeout', () => req.destroy(new DeliveryError(`timed out after ${timeoutMs} ms`, true)));
    req.on('error', (err) => reject(err instanceof DeliveryError ? err : new DeliveryError(err.message, true)));
    req.end(body);
  });
}
