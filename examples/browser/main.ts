/**
 * The AssemblyScript example in a page: fetched, run as a WASI command with browser_wasi_shim,
 * its trace tree (spans, logs, metrics) and its output written into the page. With
 * `?collector=<url>` the telemetry also goes to that OTLP/HTTP collector, which must allow the
 * page's origin (CORS).
 *
 *   npm run build:example
 *   npx esbuild examples/browser/main.ts --bundle --format=esm --outfile=build/browser/main.js
 *   cp examples/browser/index.html build/assemblyscript/example.wasm build/browser/
 *   # serve build/browser with any static file server and open index.html
 *
 * In your project, import from 'wasm-observe' instead.
 */
import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim';
import { Observer, OtlpHttpExporter, TextTreeExporter, runWasiModule, type TelemetryExporter } from '../../host/index.ts';

const tree = document.querySelector('#tree')!;
const output = document.querySelector('#output')!;
const collector = new URLSearchParams(location.search).get('collector');

const exporters: TelemetryExporter[] = [new TextTreeExporter({ write: (text) => tree.append(text) })];
if (collector) exporters.push(new OtlpHttpExporter({ endpoint: collector }));
const observer = new Observer({ serviceName: 'browser-example', exporters });

const print = (line: string) => output.append(`${line}\n`);
// No arguments: the example serves its five demo requests.
const wasi = new WASI(['example'], [], [new OpenFile(new File([])), ConsoleStdout.lineBuffered(print), ConsoleStdout.lineBuffered(print)]);
const module = await WebAssembly.compileStreaming(fetch('example.wasm'));
const result = await runWasiModule(module, wasi, { observer, programName: 'example' });
await observer.shutdown();
if (result.error !== undefined) print(`error: ${String(result.error)}`);
document.body.dataset.status = result.error === undefined ? 'done' : 'error';
