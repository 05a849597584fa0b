/**
 * The one entry point for embedding: an Observer provides a guest's Observe imports, binds to its
 * memory, turns each invocation into a trace, and hands the telemetry to exporters.
 *
 * ```ts
 * const observer = new Observer({ exporters: [new StdoutExporter()] });
 * const instance = await observer.instantiate(module, otherImports);
 * await observer.trace('handle', () => instance.exports.handle());
 * await observer.shutdown();
 * ```
 *
 * Uses only what every JavaScript runtime has (WebAssembly, typed arrays, `performance`).
 */
import type { Attributes, SpanContext } from '@opentelemetry/api';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ClockMode } from './abi/imports.ts';
import { GuestBinding } from './abi/guest.ts';
import { functionNames } from './abi/names.ts';
import { dispatch, now, type AnomalyKind, type EventSink, type GuestEvent } from './events.ts';
import { TraceBuilder } from './trace/builder.ts';
import { activeSpanContext } from './trace/parent.ts';
import type { GuestMetric, TelemetrySink, TraceSummary } from './trace/model.ts';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ExportStats, TelemetryExporter } from './exporters/exporter.ts';
import { settlesBy } from './exporters/retry.ts';
import { ATTR, VERSION } from './trace/vocabulary.ts';

export { VERSION } from './trace/vocabulary.ts';
export const DEFAULT_SERVICE_NAME = 'wasm-observe-guest';

export interface ObserverOptions {
  /** Where telemetry goes. None: it is built and discarded (useful for benchmarks). */
  exporters?: TelemetryExporter[];
  /** `service.name` on the resource. Default `wasm-observe-guest`. */
  serviceName?: string;
  /** More resource attributes (`service.version`, `deployment.environment`, …). */
  resourceAttributes?: Attributes;
  /** Function spans shorter than this are dropped; manual spans never are. Default 20. */
  minSpanDurationMicros?: number;
  /** Longest string read from the guest; longer ones are truncated and counted. Default 64 KiB. */
  maxStringBytes?: number;
  /** Turns mangled function names (Rust, C++) into readable ones. Default: names as they are. */
  demangle?: (name: string) => string;
  /** Anomalies of one kind logged individually per trace; the rest are only counted. Default 10. */
  anomalyLogLimit?: number;
  /**
   * `precise` (default): every event reads the clock. `coarse`: logs, metrics, tags and memory
   * growth take the time of the last span event instead, saving a clock read each (for guests
   * that log in tight loops; their records then share their span event's timestamp).
   */
  clock?: ClockMode;
  /**
   * One deadline for the whole final flush: the longest `shutdown()` waits for every exporter's
   * delivery together, retries included; what is still unsent then is given up on, counted as
   * dropped, and said in the exporter's `lastError`. Default 10 000 ms (OTLP's export timeout).
   */
  exportTimeoutMillis?: number;
}

/** How long past the export timeout the Observer waits for an exporter that ignores it. */
const SHUTDOWN_GRACE_MILLIS = 250;

export class Observer {
  readonly resource: Resource;
  private readonly builder: TraceBuilder;
  /** Where decoded guest events go: the trace builder (the CLI's guest thread feeds it from the ring). */
  readonly events: EventSink;
  private readonly guest: GuestBinding;
  private readonly exporters: TelemetryExporter[];
  private readonly demangle: (name: string) => string;
  private names = new Map<number, string>();
  private readonly nameCache = new Map<number, string>();
  private readonly totals: Partial<Record<AnomalyKind, number>> = {};
  private shutDown = false;
  private readonly exportTimeout: number;
  /** Exporters whose shutdown did not finish, even past the export timeout. */
  private readonly gaveUp = new Set<string>();

  constructor(options: ObserverOptions = {}) {
    this.exporters = options.exporters ?? [];
    this.demangle = options.demangle ?? ((name) => name);
    this.exportTimeout = options.exportTimeoutMillis ?? 10_000;
    this.resource = resourceFromAttributes({
      [ATTR.serviceName]: options.serviceName ?? DEFAULT_SERVICE_NAME,
      [ATTR.sdkName]: 'wasm-observe',
      [ATTR.sdkLanguage]: 'webjs',
      [ATTR.sdkVersion]: VERSION,
      ...options.resourceAttributes,
    });
    this.builder = new TraceBuilder(this.fanOut(), {
      minSpanDurationMicros: options.minSpanDurationMicros ?? 20,
      functionName: (index) => this.functionName(index),
      resource: this.resource,
      scope: { name: 'wasm-observe', version: VERSION },
      anomalyLogLimit: options.anomalyLogLimit,
    });
    this.events = this.builder;
    this.guest = new GuestBinding(this.events, options);
  }

  /**
   * The Observe imports for every namespace (current, legacy, instrument). Pass the module to
   * name function spans from its `name` section. Extra namespaces are ignored by instantiation,
   * so a module importing some or none of them links.
   */
  imports(module?: WebAssembly.Module): WebAssembly.Imports {
    if (module !== undefined) this.useModule(module);
    return this.guest.imports;
  }

  /** Reads function names for instrument-API spans from the module's `name` section. */
  useModule(module: WebAssembly.Module): void {
    this.names = functionNames(module);
    this.nameCache.clear();
  }

  /** Binds to the guest's memory: the instance's exported `memory`, or a memory given directly. */
  bind(target: WebAssembly.Instance | WebAssembly.Memory): void {
    this.guest.bind(target);
  }

  /**
   * Instantiates `module` with the Observe imports merged into `imports`, and binds to its memory.
   * An imported memory is bound first; with an exported one, calls made by a start function are
   * held during instantiation and processed as soon as the memory exists.
   */
  async instantiate(module: WebAssembly.Module, imports: WebAssembly.Imports = {}): Promise<WebAssembly.Instance> {
    return this.guest.instantiate(module, { ...this.imports(module), ...imports });
  }

  /**
   * Starts a trace for one invocation; guest root spans become children of `parent`, or else of
   * the embedding program's active OpenTelemetry span, so both share one trace id.
   */
  startTrace(name: string, parent?: SpanContext): string {
    const time = now();
    this.guest.startAt(time);
    this.builder.start(name, time, parent ?? activeSpanContext());
    return this.builder.currentTraceId;
  }

  /** Ends the current trace; pass the trap or exception that ended the invocation, if any. */
  finishTrace(error?: unknown): TraceSummary {
    return this.builder.finish(now(), error);
  }

  /**
   * Runs `fn` as one traced invocation. A trap or exception closes the open spans as errors,
   * delivers the telemetry, and is rethrown to the caller.
   */
  async trace<T>(name: string, fn: () => T | Promise<T>, parent?: SpanContext): Promise<T> {
    this.startTrace(name, parent);
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      this.finishTrace(err);
      throw err;
    }
    this.finishTrace();
    return result;
  }

  /** Feeds one event as if the guest had sent it (a bridge from another event source, tests). */
  handle(event: GuestEvent): void {
    dispatch(this.events, event);
  }

  /** Anomaly counts over every trace so far. */
  anomalies(): Readonly<Partial<Record<AnomalyKind, number>>> {
    return { ...this.totals };
  }

  /** Delivery counts per exporter. */
  exportStats(): Record<string, ExportStats> {
    return Object.fromEntries(
      this.exporters.map((e) => {
        const stats = e.stats();
        if (!this.gaveUp.has(e.name)) return [e.name, stats];
        const gaveUp = `gave up: shutdown did not finish within the ${this.exportTimeout} ms export timeout`;
        return [e.name, { ...stats, lastError: stats.lastError === undefined ? gaveUp : `${gaveUp}; ${stats.lastError}` }];
      }),
    );
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.exporters.map((e) => e.forceFlush()));
  }

  /**
   * Finishes an open trace, flushes and shuts down every exporter, all within the export timeout.
   * Rejects with the first exporter's failure (a {@link WriteError} when a file could not be
   * written) once every exporter has finished or been given up on.
   */
  async shutdown(): Promise<void> {
    if (this.shutDown) return;
    this.shutDown = true;
    if (this.builder.active) this.finishTrace();
    const failures: unknown[] = [];
    const pending = new Set(this.exporters);
    const finished = Promise.all(
      this.exporters.map((e) =>
        e.shutdown(this.exportTimeout).then(
          () => void pending.delete(e),
          (err: unknown) => void (pending.delete(e), failures.push(err)),
        ),
      ),
    );
    // Exporters that honour the timeout (every `Delivery`) give up and report it themselves; this
    // net, a little later, is for those that do not.
    await settlesBy(finished, Date.now() + this.exportTimeout + SHUTDOWN_GRACE_MILLIS);
    for (const e of pending) this.gaveUp.add(e.name);
    if (failures.length > 0) throw failures[0];
  }

  private functionName(index: number): string {
    let name = this.nameCache.get(index);
    if (name === undefined) {
      const raw = this.names.get(index);
      name = raw === undefined ? `func[${index}]` : safeDemangle(this.demangle, raw);
      this.nameCache.set(index, name);
    }
    return name;
  }

  /** One sink for the builder: every exporter in turn, an exporter's failure isolated. */
  private fanOut(): TelemetrySink {
    const exporters = this.exporters;
    const totals = this.totals;
    // Plain loops, no closure per item: this runs for every span, log and metric.
    return {
      onSpan(span: ReadableSpan) {
        for (const e of exporters) {
          try {
            e.onSpan(span);
          } catch {
            // An exporter that throws loses the item; it must not stop the others or the guest.
          }
        }
      },
      onLog(record: ReadableLogRecord) {
        for (const e of exporters) {
          try {
            e.onLog(record);
          } catch {
            // as above
          }
        }
      },
      onMetric(metric: GuestMetric) {
        for (const e of exporters) {
          try {
            e.onMetric(metric);
          } catch {
            // as above
          }
        }
      },
      onTraceEnd(summary: TraceSummary) {
        for (const [kind, n] of Object.entries(summary.anomalies) as [AnomalyKind, number][]) {
          totals[kind] = (totals[kind] ?? 0) + n;
        }
        for (const e of exporters) {
          try {
            e.onTraceEnd(summary);
          } catch {
            // as above
          }
        }
      },
    };
  }
}

function safeDemangle(demangle: (name: string) => string, raw: string): string {
  try {
    return demangle(raw) || raw;
  } catch {
    return raw;
  }
}
