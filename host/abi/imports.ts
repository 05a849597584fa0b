/**
 * The host functions a guest imports, for every namespace in the ABI table. Each call reads its
 * strings safely from guest memory and calls the sink's method for that event. Nothing here
 * throws into the guest: a bad pointer becomes an `anomaly` event next to the event it spoiled.
 */
import { IMPORTS, type ImportKind } from './spec.ts';
import type { GuestMemory, ReadResult } from './memory.ts';
import { Interrupted, now, type EventSink } from '../events.ts';

type Ptr = number | bigint;
type HostFunction = (...args: never[]) => void;

/** Name given to a span whose name could not be read, so its span-exit still pairs with it. */
export const UNREADABLE_NAME = '<unreadable>';

/** Calls that arrived before the guest's memory could be bound, kept with their arrival time. */
type Deferred = [handler: HostFunction, args: (number | bigint)[], time: number];
const MAX_DEFERRED = 10_000;

export interface ObserveImports {
  /** The import object: `{ [module]: { [name]: function } }` for every namespace. */
  readonly imports: WebAssembly.Imports;
  /**
   * Holds calls back until {@link replay}: a start function runs inside instantiation, before an
   * exported memory exists for the host to read.
   */
  defer(): void;
  /** Processes held calls in order (their strings are read now) and stops holding. */
  replay(): void;
  /** A trace starts at `time`: with the coarse clock, events before its first span take it. */
  startAt(time: number): void;
}

/**
 * `precise`: every event reads the clock. `coarse`: logs, metrics, tags and memory growth take
 * the time of the last span event (enter or exit, of either kind) instead, for guests that log
 * in tight loops: one clock read saved per such event.
 */
export const CLOCK_MODES = ['precise', 'coarse'] as const;
export type ClockMode = (typeof CLOCK_MODES)[number];

export function createImports(memory: GuestMemory, sink: EventSink, clockMode: ClockMode = 'precise'): ObserveImports {
  let deferred: Deferred[] | undefined;
  // The time of a call being replayed. Not a parameter: a guest may import a function with more
  // parameters than the ABI says, and must not be able to pass in timestamps.
  let replayTime: number | undefined;
  const coarse = clockMode === 'coarse';
  // In a typed array: a number stored in a closure variable is boxed, an allocation per event.
  const lastSpanTime = Float64Array.of(now());
  /** A span event's time: always read. */
  const clock = (): number => {
    const time = replayTime ?? now();
    if (coarse) lastSpanTime[0] = time;
    return time;
  };
  /** Any other event's time: read, or with the coarse clock the last span event's. */
  const detailClock = (): number => replayTime ?? (coarse ? lastSpanTime[0]! : now());
  const hold = (handler: HostFunction, args: (number | bigint)[]): void => {
    if (deferred!.length < MAX_DEFERRED) deferred!.push([handler, args, now()]);
    else sink.anomaly(now(), 'no-memory', 'call before the memory was bound');
  };
  const read = (ptr: Ptr, len: number, time: number): string | undefined => {
    const r: ReadResult = memory.read(ptr, len);
    if (r.problem !== undefined) {
      sink.anomaly(time, r.problem, describe(ptr, len));
    }
    return r.text;
  };
  // A host bug must not become a guest trap: every handler catches, counts and carries on; only a
  // sink's request to stop the guest goes through. (try/catch inline rather than a wrapper
  // closure: these run millions of times.)
  const hostError = (err: unknown): void => {
    if (err instanceof Interrupted) throw err;
    sink.anomaly(now(), 'host-error', String(err));
  };

  const handlers: Record<ImportKind, HostFunction> = {
    'span-enter': (ptr: Ptr, len: number) => {
      if (deferred) return hold(handlers['span-enter'], [ptr, len]);
      const time = clock();
      try {
        sink.spanEnter(time, read(ptr, len, time) ?? UNREADABLE_NAME);
      } catch (err) {
        hostError(err);
      }
    },
    'span-exit': () => {
      if (deferred) return hold(handlers['span-exit'], []);
      const time = clock();
      try {
        sink.spanExit(time);
      } catch (err) {
        hostError(err);
      }
    },
    'span-tags': (ptr: Ptr, len: number) => {
      if (deferred) return hold(handlers['span-tags'], [ptr, len]);
      const time = detailClock();
      try {
        const tags = read(ptr, len, time);
        if (tags !== undefined) sink.spanTags(time, tags);
      } catch (err) {
        hostError(err);
      }
    },
    log: (level: number, ptr: Ptr, len: number) => {
      if (deferred) return hold(handlers.log, [level, ptr, len]);
      const time = detailClock();
      try {
        const message = read(ptr, len, time);
        // Number(): a guest may declare the level (or the format below) as i64, a BigInt here.
        if (message !== undefined) sink.log(time, Number(level), message);
      } catch (err) {
        hostError(err);
      }
    },
    metric: (format: number, ptr: Ptr, len: number) => {
      if (deferred) return hold(handlers.metric, [format, ptr, len]);
      const time = detailClock();
      try {
        const text = read(ptr, len, time);
        if (text !== undefined) sink.metric(time, Number(format), text);
      } catch (err) {
        hostError(err);
      }
    },
    'function-enter': (index: number) => {
      if (deferred) return hold(handlers['function-enter'], [index]);
      const time = clock();
      try {
        sink.functionEnter(time, Number(index) >>> 0);
      } catch (err) {
        hostError(err);
      }
    },
    'function-exit': (index: number) => {
      if (deferred) return hold(handlers['function-exit'], [index]);
      const time = clock();
      try {
        sink.functionExit(time, Number(index) >>> 0);
      } catch (err) {
        hostError(err);
      }
    },
    'memory-grow': (pages: number) => {
      if (deferred) return hold(handlers['memory-grow'], [pages]);
      const time = detailClock();
      try {
        sink.memoryGrow(time, Number(pages) | 0);
      } catch (err) {
        hostError(err);
      }
    },
  };

  const imports: Record<string, Record<string, HostFunction>> = {};
  for (const spec of IMPORTS) {
    (imports[spec.module] ??= {})[spec.name] = handlers[spec.kind];
  }
  return {
    imports,
    defer: () => {
      deferred ??= [];
    },
    startAt: (time) => {
      lastSpanTime[0] = time;
    },
    replay: () => {
      const held = deferred ?? [];
      deferred = undefined;
      for (const [handler, args, time] of held) {
        replayTime = time;
        (handler as (...a: unknown[]) => void)(...args);
      }
      replayTime = undefined;
    },
  };
}

function describe(ptr: Ptr, len: number): string {
  const p = typeof ptr === 'bigint' ? ptr.toString() : String(ptr >>> 0);
  return `ptr=${p} len=${Number(len) >>> 0}`;
}
