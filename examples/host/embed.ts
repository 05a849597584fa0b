/**
 * Embedding the host in your own program: one Observer for one guest instance, one trace per
 * call, the caller's trace context passed in, telemetry to stdout and an OTLP JSON-lines file.
 *
 *   npx tsx examples/host/embed.ts [trace.jsonl]
 *
 * In your project, import from 'wasm-observe' and 'wasm-observe/node' instead.
 */
import { Observer, parseTraceparent } from '../../host/index.ts';
import { OtlpJsonlExporter, StdoutExporter, loadWasm } from '../../host/node/index.ts';

const out = process.argv[2] ?? 'trace.jsonl';
const observer = new Observer({
  serviceName: 'embed-example',
  exporters: [new StdoutExporter(), new OtlpJsonlExporter({ path: out })],
});

const module = await WebAssembly.compile(await loadWasm(new URL('handler.wat', import.meta.url).pathname));
const instance = await observer.instantiate(module);
const handle = instance.exports.handle as (n: number) => number;

// Each incoming request carries its caller's W3C traceparent; the guest's spans join that trace.
const requests = [
  '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
];
for (const [i, traceparent] of requests.entries()) {
  const result = await observer.trace(`request ${i + 1}`, () => handle(i + 1), parseTraceparent(traceparent));
  console.log(`request ${i + 1} -> ${result}`);
}

await observer.shutdown(); // flushes every exporter
console.log(`OTLP JSON lines written to ${out}`);
