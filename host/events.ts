/**
 * Events: what a guest said, decoded from its memory, as plain typed records. The abi layer
 * produces them; the trace builder consumes them. Times are milliseconds since the Unix epoch
 * with sub-microsecond fractions (`performance.timeOrigin + performance.now()`).
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

/** Receives decoded events in the order the guest produced them. */
export interface EventSink {
  handle(event: GuestEvent): void;
}

/** Wall-clock milliseconds with sub-microsecond fractions, monotonic within the process. */
export const now: () => number = (() => {
  const origin = performance.timeOrigin;
  return () => origin + performance.now();
})();
