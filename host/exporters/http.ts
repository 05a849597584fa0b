/**
 * HTTP requests with a timeout, for exporters that speak to an agent or intake directly.
 * Failures come back as `DeliveryError`s that say whether a retry can help: network errors,
 * timeouts, 408, 429 and 5xx can; other statuses cannot.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DeliveryError } from './retry.ts';

/** Sends one body, with headers of its own besides the sender's; resolves on a 2xx answer. */
export type HttpSend = (body: Uint8Array | string, headers?: Record<string, string>) => Promise<void>;

const TIMEOUT_MS = 10_000;

/**
 * Requests to one URL: `http(s)://…` with `path` below it, or `unix:///path` for an agent's Unix
 * socket (`unix:///var/run/datadog/apm.socket`). Any other URL throws at once.
 */
export function httpSender(text: string, path: string, method: string, headers: Record<string, string>): HttpSend {
  const unix = text.startsWith('unix://');
  const base = new URL(unix ? 'http://localhost' : text);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`not an http(s) or unix URL: ${text}`);
  const url = path === '' ? base : new URL(path, base.href.endsWith('/') ? base.href : `${base.href}/`);
  const socketPath = unix ? text.slice('unix://'.length) : undefined;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return (body, extra) =>
    new Promise((resolve, reject) => {
      const options = { method, socketPath, headers: { ...headers, ...extra, 'Content-Length': String(Buffer.byteLength(body)) }, timeout: TIMEOUT_MS };
      const req = request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.length < 64 && chunks.push(chunk));
        res.on('error', (err) => reject(new DeliveryError(err.message, true)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve();
          const text = Buffer.concat(chunks).toString('utf8');
          const retryable = status === 408 || status === 429 || status >= 500;
          const after = Number(res.headers['retry-after']);
          const detail = text.length > 200 ? `${text.slice(0, 200)}…` : text;
          reject(new DeliveryError(`HTTP ${status}${detail ? `: ${detail}` : ''}`, retryable, after > 0 ? after * 1000 : undefined));
        });
      });
      req.on('timeout', () => req.destroy(new DeliveryError(`timed out after ${TIMEOUT_MS} ms`, true)));
      req.on('error', (err) => reject(err instanceof DeliveryError ? err : new DeliveryError(err.message, true)));
      req.end(body);
    });
}
