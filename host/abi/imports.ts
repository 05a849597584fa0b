/**
 * The host functions a guest imports, for every namespace in the ABI table. Each call reads its
 * strings safely from guest memory and hands one {@link GuestEvent} to the sink. Nothing here
 * throws into the guest: a bad pointer becomes an `anomaly` event next to the event it spoiled.
 */
import { IMPORTS, type ImportKind } from './spec.ts';
import type { GuestMemory, ReadResult } from './memory.ts';
import { now, type EventSink } from '../events.ts';

type Ptr = number | bigint;
type HostFunction = (...args: never[]) => void;

/** Name given to a span whose name could not be read, so its span-exit still pairs with it. */
export const UNREADABLE_NAME = '<unreadable>';

export function createImports(memory: GuestMemory, sink: EventSink): WebAssembly.Imports {
  const read = (ptr: Ptr, len: number, time: number): string | undefined => {
    const r: ReadResult = memory.read(ptr, len);
    if (r.problem !== undefined) {
      sink.handle({ type: 'anomaly', time, kind: r.problem, detail: describe(ptr, len) });
    }
    return r.text;
  };
  // A host bug must not become a guest trap: count it and carry on.
  const guard = (fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      sink.handle({ type: 'anomaly', time: now(), kind: 'host-error', detail: String(err) });
    }
  };

  const handlers: Record<ImportKind, HostFunction> = {
    'span-enter': (ptr: Ptr, len: number) =>
      guard(() => {
        const time = now();
        sink.handle({ type: 'span-enter', time, name: read(ptr, len, time) ?? UNREADABLE_NAME });
      }),
    'span-exit': () => guard(() => sink.handle({ type: 'span-exit', time: now() })),
    'span-tags': (ptr: Ptr, len: number) =>
      guard(() => {
        const time = now();
        const tags = read(ptr, len, time);
        if (tags !== undefined) sink.handle({ type: 'span-tags', time, tags });
      }),
    log: (level: number, ptr: Ptr, len: number) =>
      guard(() => {
        const time = now();
        const message = read(ptr, len, time);
        if (message !== undefined) sink.handle({ type: 'log', time, level, message });
      }),
    metric: (format: number, ptr: Ptr, len: number) =>
      guard(() => {
        const time = now();
        const text = read(ptr, len, time);
        if (text !== undefined) sink.handle({ type: 'metric', time, format, text });
      }),
    'function-enter': (index: number) =>
      guard(() => sink.handle({ type: 'function-enter', time: now(), index: index >>> 0 })),
    'function-exit': (index: number) =>
      guard(() => sink.handle({ type: 'function-exit', time: now(), index: index >>> 0 })),
    'memory-grow': (pages: number) =>
      guard(() => sink.handle({ type: 'memory-grow', time: now(), pages })),
  };

  const imports: Record<string, Record<string, HostFunction>> = {};
  for (const spec of IMPORTS) {
    (imports[spec.module] ??= {})[spec.name] = handlers[spec.kind];
  }
  return imports;
}

function describe(ptr: Ptr, len: number): string {
  const p = typeof ptr === 'bigint' ? ptr.toString() : String(ptr >>> 0);
  return `ptr=${p} len=${len >>> 0}`;
}
