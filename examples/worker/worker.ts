/**
 * A Cloudflare Worker that runs a WebAssembly guest for every request, inside the request's
 * trace: the caller's `traceparent` header becomes the guest spans' parent, and the guest's
 * spans, logs and metrics go to an OTLP/HTTP collector after the response is sent.
 *
 *   npm run build:example                  # the AssemblyScript example → build/assemblyscript/example.wasm
 *   cd examples/worker && npx wrangler dev --var OTLP_ENDPOINT:https://collector.example:4318
 *   curl -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' localhost:8787/health
 *
 * Workers compile no Wasm from bytes at run time: the guest is imported as a `.wasm` module,
 * which wrangler bundles. In your project, import from 'wasm-observe' instead.
 */
import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim';
import { Observer, OtlpHttpExporter, parseTraceparent, runWasiModule } from '../../host/index.ts';
import example from '../../build/assemblyscript/example.wasm';

interface Env {
  /** The collector's base URL (`/v1/traces`, … are appended). Unset: telemetry is not sent. */
  OTLP_ENDPOINT?: string;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    // The guest reads one request line, as `METHOD /path body`, from its arguments.
    const line = `${request.method} ${url.pathname} ${request.method === 'GET' ? '' : await request.text()}`.trim();

    // One Observer per request: an isolate serves requests concurrently, and an Observer traces
    // one invocation at a time.
    const observer = new Observer({
      serviceName: 'worker-example',
      exporters: env.OTLP_ENDPOINT ? [new OtlpHttpExporter({ endpoint: env.OTLP_ENDPOINT })] : [],
    });
    const printed: string[] = [];
    const print = (text: string) => printed.push(text);
    const wasi = new WASI(['example', line], [], [new OpenFile(new File([])), ConsoleStdout.lineBuffered(print), ConsoleStdout.lineBuffered(print)]);
    const parent = parseTraceparent(request.headers.get('traceparent') ?? '');
    const result = await runWasiModule(example, wasi, { observer, parent, traceName: `${request.method} ${url.pathname}` });

    // Delivered after the response, while the runtime keeps the request's context alive.
    ctx.waitUntil(observer.shutdown());
    const status = result.error === undefined ? 200 : 500;
    return new Response(printed.join('\n') + '\n', { status, headers: { 'content-type': 'text/plain' } });
  },
};
