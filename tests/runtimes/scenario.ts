/**
 * What every runtime (Chromium, Firefox, Deno, Bun, workerd) runs, with only the root entry and
 * what the runtime itself offers: no Node built-in, no test framework. It returns plain facts as
 * JSON-safe data; the tests (tests/runtimes/expect.ts) judge them.
 *
 * 1. An embedding program serves a request under its own OpenTelemetry span and calls a reactor
 *    guest inside it; guest telemetry goes into the program's span processor (`OtelSdkExporter`),
 *    a text tree and an OTLP/HTTP collector.
 * 2. A guest traps inside a span.
 * 3. The AssemblyScript example runs as a WASI command with the runtime's WASI.
 */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type * as Core from '../../host/index.ts';

/** The line a runtime prints its report on, among whatever the guest printed. */
export const REPORT_PREFIX = 'SCENARIO-REPORT ';

/** Compiles the guests the loopback server serves under `base`. */
export async function fetchGuests(base: string): Promise<Guests> {
  const load = async (name: string) => WebAssembly.compile(await (await fetch(`${base}/${name}`)).arrayBuffer());
  const [handler, trap, example] = await Promise.all([load('handler.wasm'), load('trap.wasm'), load('example.wasm')]);
  return { handler, trap, example };
}

export interface Guests {
  handler: WebAssembly.Module;
  trap: WebAssembly.Module;
  example: WebAssembly.Module;
}

export interface ScenarioEnv {
  /** The root entry as this runtime loaded it. */
  core: typeof Core;
  guests: Guests;
  /** A WASI implementation for `args`, reporting what the guest prints on fd 1 and 2. */
  wasi(args: string[], print: (line: string) => void): Core.WasiImplementation | Promise<Core.WasiImplementation>;
  /** OTLP/HTTP base endpoint of the loopback receiver. */
  collector: string;
  protocol: 'http/json' | 'http/protobuf';
}

export interface SpanFact {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  attributes: Record<string, unknown>;
  status: number;
  durationNanos: number;
  events: string[];
}

export interface ScenarioReport {
  request: { hostSpan: { traceId: string; spanId: string }; returnValue: unknown; spans: SpanFact[]; tree: string; otlpStats: Core.ExportStats };
  trap: { error: string; errorName: string; spans: SpanFact[]; tree: string };
  command: { exitCode: number; error?: string; printed: string[]; spans: SpanFact[]; tree: string };
}

function fact(span: ReadableSpan): SpanFact {
  return {
    name: span.name,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    attributes: { ...span.attributes },
    status: span.status.code,
    durationNanos: span.duration[0] * 1e9 + span.duration[1],
    events: span.events.map((e) => e.name),
  };
}

export async function runScenario(env: ScenarioEnv): Promise<ScenarioReport> {
  const { core, guests } = env;

  // The embedding program's own tracing: its provider, its processor, its exporter.
  const collected = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor(collected);
  const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('embedding-program');

  // 1. A request of the embedding program calls the reactor guest.
  let tree = '';
  const otlp = new core.OtlpHttpExporter({ endpoint: env.collector, protocol: env.protocol });
  const observer = new core.Observer({
    serviceName: 'runtime-test',
    exporters: [new core.OtelSdkExporter({ spanProcessors: [processor] }), new core.TextTreeExporter({ write: (t) => (tree += t) }), otlp],
  });
  const instance = await observer.instantiate(guests.handler);
  const handle = instance.exports.handle as (n: number) => number;
  const hostSpan = tracer.startSpan('GET /items/1');
  const returnValue = await observer.trace('handle', () => handle(1), hostSpan.spanContext());
  hostSpan.end();
  await observer.shutdown();
  const request = {
    hostSpan: { traceId: hostSpan.spanContext().traceId, spanId: hostSpan.spanContext().spanId },
    returnValue,
    spans: collected.getFinishedSpans().map(fact),
    tree,
    otlpStats: otlp.stats(),
  };
  collected.reset();

  // 2. A guest that traps.
  let trapTree = '';
  const trapObserver = new core.Observer({
    exporters: [new core.OtelSdkExporter({ spanProcessors: [processor] }), new core.TextTreeExporter({ write: (t) => (trapTree += t) })],
  });
  const trapInstance = await trapObserver.instantiate(guests.trap);
  let caught: unknown;
  try {
    await trapObserver.trace('run', () => (trapInstance.exports.run as () => void)());
  } catch (err) {
    caught = err;
  }
  await trapObserver.shutdown();
  const trap = {
    error: String(caught),
    errorName: caught instanceof WebAssembly.RuntimeError ? 'RuntimeError' : String((caught as Error | undefined)?.name),
    spans: collected.getFinishedSpans().map(fact),
    tree: trapTree,
  };
  collected.reset();

  // 3. The AssemblyScript example as a WASI command.
  let commandTree = '';
  const printed: string[] = [];
  const commandObserver = new core.Observer({
    exporters: [new core.OtelSdkExporter({ spanProcessors: [processor] }), new core.TextTreeExporter({ write: (t) => (commandTree += t) })],
  });
  const wasi = await env.wasi(['example', 'GET /health', 'POST /echo hello'], (line) => printed.push(line));
  const result = await core.runWasiModule(guests.example, wasi, { observer: commandObserver, programName: 'example' });
  await commandObserver.shutdown();
  const command = {
    exitCode: result.exitCode,
    error: result.error === undefined ? undefined : String(result.error),
    printed,
    spans: collected.getFinishedSpans().map(fact),
    tree: commandTree,
  };

  return { request, trap, command };
}
