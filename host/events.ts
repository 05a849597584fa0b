/**
 * Events: what a guest said, decoded from its memory. The abi layer calls an {@link EventSink}
 * method per event, with plain arguments (no object per event on the hot path); the trace builder
 * is that sink. {@link GuestEvent} is the same event as a record, for embedders and tests.
 * Times are milliseconds since the Unix epoch with sub-microsecond fractions
 * (`performance.timeOrigin + performance.now()`).
 */
import type { ReadProblem } from './abi/memory.ts';

export type GuestEvent =
  | { readonly type: 'span-enter'; readonly time: number; readonly name: string }
  | { readonly type: 'span-exit'; readonly time: number }
  | { readonly type: 'span-tags'; readonly time: number; readonly tags: string }
  | { readonly type: 'log'; readonly time: number; readonly level: number; readonly message: string }
  | { readonly type: 'metric'; readonly time: number; readonly format: number; readonly text: string }
  | { readonly type: 'function-enter'; readonly time: number; readonly index: number }
  | { readonly type: 'function-exit'; readonly time: number; readonly index: number }
  | { readonly type: 'memory-grow'; readonly time: number; readonly pages: number }
  | { readonly type: 'anomaly'; readonly time: number; readonly kind: AnomalyKind; readonly detail: string };

/**
 * Everything that can be wrong with what a guest sends. Each is counted per trace and reported;
 * none throws into the guest.
 */
export type AnomalyKind =
  | ReadProblem
  | 'span-exit-without-span'
  | 'function-exit-mismatch'
  | 'span-left-open'
  | 'tags-without-span'
  | 'unknown-log-level'
  | 'unknown-metric-format'
  | 'metric-unparsed'
  | 'memory-grow-negative'
  | 'guest-trap'
  | 'host-error';

/**
 * Receives decoded events in the order the guest produced them. Whatever a sink throws is counted
 * as a `host-error`, never thrown into the guest, except {@link Interrupted}.
 */
export interface EventSink {
  spanEnter(time: number, name: string): void;
  spanExit(time: number): void;
  spanTags(time: number, tags: string): void;
  log(time: number, level: number, message: string): void;
  metric(time: number, format: number, text: string): void;
  functionEnter(time: number, index: number): void;
  functionExit(time: number, index: number): void;
  memoryGrow(time: number, pages: number): void;
  anomaly(time: number, kind: AnomalyKind, detail: string): void;
}

/** Hands one event record to the sink method it stands for. */
export function dispatch(sink: EventSink, event: GuestEvent): void {
  switch (event.type) {
    case 'span-enter':
      return sink.spanEnter(event.time, event.name);
    case 'span-exit':
      return sink.spanExit(event.time);
    case 'span-tags':
      return sink.spanTags(event.time, event.tags);
    case 'log':
      return sink.log(event.time, event.level, event.message);
    case 'metric':
      return sink.metric(event.time, event.format, event.text);
    case 'function-enter':
      return sink.functionEnter(event.time, event.index);
    case 'function-exit':
      return sink.functionExit(event.time, event.index);
    case 'memory-grow':
      return sink.memoryGrow(event.time, event.pages);
    case 'anomaly':
      return sink.anomaly(event.time, event.kind, event.detail);
  }
}

/** Wall-clock milliseconds with sub-microsecond fractions, monotonic within the process. */
export const now: () => number = (() => {
  const origin = performance.timeOrigin;
  return () => origin + performance.now();
})();

/**
 * Thrown by a sink to stop the guest: the imports let it through, so it unwinds the guest at the
 * call that reported the event (the CLI's answer to SIGINT and SIGTERM).
 */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor() {
    super('interrupted');
  }
}
