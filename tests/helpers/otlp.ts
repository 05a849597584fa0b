/**
 * Runs guests the way users do and reads back what was exported, as OTLP/JSON written by the
 * `otlp-jsonl` exporter: tests assert on exported data, never on the host's internals.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Observer, type ObserverOptions } from '../../host/index.ts';
import { OtlpJsonlExporter, runWasi, watToWasm, loadDemangler, type RunOptions, type RunResult } from '../../host/node/index.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Span {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  status: { code?: number; message?: string };
  start: bigint;
  end: bigint;
}

export interface Log {
  body: unknown;
  severityNumber: number | undefined;
  severityText: string | undefined;
  attributes: Record<string, unknown>;
  traceId: string | undefined;
  spanId: string | undefined;
}

export interface MetricPoint {
  name: string;
  kind: 'sum' | 'gauge' | 'histogram';
  attributes: Record<string, unknown>;
  value?: number;
  count?: number;
  sum?: number;
}

export interface Exported {
  spans: Span[];
  logs: Log[];
  metrics: MetricPoint[];
  resources: Record<string, unknown>[];
  lines: Json[];
}

/** Plain values out of OTLP `AnyValue`s. */
export function value(v: Json): unknown {
  if (v === undefined || v === null) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(value);
  if ('kvlistValue' in v) return attrs(v.kvlistValue.values);
  return undefined;
}

function attrs(list: Json[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv: Json) => [kv.key, value(kv.value)]));
}

export function parseOtlpJsonl(text: string): Exported {
  const out: Exported = { spans: [], logs: [], metrics: [], resources: [], lines: [] };
  for (const line of text.split('\n').filter(Boolean)) {
    const request = JSON.parse(line);
    out.lines.push(request);
    for (const rs of request.resourceSpans ?? []) {
      out.resources.push(attrs(rs.resource?.attributes));
      for (const ss of rs.scopeSpans) {
        for (const s of ss.spans) {
          out.spans.push({
            name: s.name,
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId || undefined,
            attributes: attrs(s.attributes),
            events: (s.events ?? []).map((e: Json) => ({ name: e.name, attributes: attrs(e.attributes) })),
            status: s.status ?? {},
            start: BigInt(s.startTimeUnixNano),
            end: BigInt(s.endTimeUnixNano),
          });
        }
      }
    }
    for (const rl of request.resourceLogs ?? []) {
      out.resources.push(attrs(rl.resource?.attributes));
      for (const sl of rl.scopeLogs) {
        for (const l of sl.logRecords) {
          out.logs.push({
            body: value(l.body),
            severityNumber: l.severityNumber,
            severityText: l.severityText,
            attributes: attrs(l.attributes),
            traceId: l.traceId || undefined,
            spanId: l.spanId || undefined,
          });
        }
      }
    }
    for (const rm of request.resourceMetrics ?? []) {
      out.resources.push(attrs(rm.resource?.attributes));
      for (const sm of rm.scopeMetrics) {
        for (const m of sm.metrics) {
          const kind = m.sum ? 'sum' : m.gauge ? 'gauge' : 'histogram';
          for (const p of (m.sum ?? m.gauge ?? m.histogram).dataPoints) {
            out.metrics.push({
              name: m.name,
              kind,
              attributes: attrs(p.attributes),
              value: p.asDouble ?? (p.asInt === undefined ? undefined : Number(p.asInt)),
              count: p.count === undefined ? undefined : Number(p.count),
              sum: p.sum,
            });
          }
        }
      }
    }
  }
  return out;
}

/** A scratch directory removed by the returned function. */
export function scratch(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-observe-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TracedRun<T> extends Exported {
  result: T;
  observer: Observer;
}

/**
 * Runs `work` with an Observer that exports to a temp OTLP JSON-lines file, shuts it down and
 * returns the result with what was exported.
 */
async function exported<T>(
  options: Omit<ObserverOptions, 'exporters'>,
  work: (observer: Observer) => Promise<T>,
): Promise<TracedRun<T>> {
  const { dir, remove } = scratch();
  const path = join(dir, 'out.jsonl');
  try {
    const observer = new Observer({ demangle: await loadDemangler(), ...options, exporters: [new OtlpJsonlExporter({ path })] });
    const result = await work(observer);
    await observer.shutdown();
    return { ...parseOtlpJsonl(readFileSync(path, 'utf8')), result, observer };
  } finally {
    remove();
  }
}

const toBytes = async (source: string | Uint8Array) => (typeof source === 'string' ? watToWasm(source) : source);

/**
 * Instantiates a module (WAT text or bytes) under an Observer exporting to a temp file, calls
 * `body` inside a trace, shuts down and returns what was exported.
 */
export async function traceModule<T>(
  source: string | Uint8Array,
  body: (instance: WebAssembly.Instance, observer: Observer) => T | Promise<T>,
  options: Omit<ObserverOptions, 'exporters'> & { traceName?: string; imports?: WebAssembly.Imports } = {},
): Promise<TracedRun<T | Error>> {
  const module = await WebAssembly.compile((await toBytes(source)) as Uint8Array<ArrayBuffer>);
  return exported(options, async (observer): Promise<T | Error> => {
    const instance = await observer.instantiate(module, options.imports);
    try {
      return await observer.trace(options.traceName ?? 'test', () => body(instance, observer));
    } catch (err) {
      return err as Error;
    }
  });
}

/** Runs a WASI module through `runWasi` and returns what was exported. */
export async function runTraced(
  source: string | Uint8Array,
  options: Omit<RunOptions, 'observer'> & { observer?: Omit<ObserverOptions, 'exporters'> } = {},
): Promise<TracedRun<RunResult>> {
  const bytes = await toBytes(source);
  return exported(options.observer ?? {}, (observer) => runWasi(bytes, { ...options, observer }));
}

/** The span with this name; fails the test if there is not exactly one. */
export function only(spans: Span[], name: string): Span {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`expected one span '${name}', found ${found.length}: ${spans.map((s) => s.name).join(', ')}`);
  return found[0]!;
}

/** The names of the span `id` and of every span above it, innermost first. */
export function ancestors(spans: Span[], id: string | undefined): string[] {
  const span = spans.find((s) => s.spanId === id);
  return span ? [span.name, ...ancestors(spans, span.parentSpanId)] : [];
}

/**
 * A trace without ids and times, to compare two runs: spans by name with their parent's name,
 * attributes and status code; logs with their span's name; metrics by name.
 */
export function traceShape(e: Exported) {
  const byId = new Map(e.spans.map((s) => [s.spanId, s.name]));
  return {
    spans: e.spans
      .map((s) => ({ name: s.name, parent: s.parentSpanId && byId.get(s.parentSpanId), attributes: s.attributes, status: s.status.code ?? 0 }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    logs: e.logs.map((l) => ({ body: l.body, severity: l.severityNumber, span: l.spanId && byId.get(l.spanId) })),
    metrics: e.metrics
      .map((m) => ({ name: m.name, kind: m.kind, value: m.value, sum: m.sum, count: m.count, attributes: m.attributes }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}
