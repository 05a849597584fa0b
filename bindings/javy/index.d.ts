// The `Javy` global as Javy's own `javy` package declares it (`Javy.IO.readSync`/`writeSync`).
// That declaration says it is always there; at run time `Javy.IO` exists only in builds with
// `-J javy-stream-io=y`, and this binding checks before every use (see `channel()`).
import type { STDIO } from 'javy';

/** `Javy.IO` as the `javy` package types it; absent at run time unless the build enables it. */
export type JavyIO = typeof Javy.IO;

/** Javy's standard file descriptors, from the `javy` package. */
export type { STDIO };

/** Log levels as the Observe ABI numbers them. */
export declare const LogLevel: Readonly<{ Error: 1; Warn: 2; Info: 3; Debug: 4; Trace: 5 }>;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** Metric payload formats. */
export declare const MetricFormat: Readonly<{ Statsd: 1 }>;
export type MetricFormat = (typeof MetricFormat)[keyof typeof MetricFormat];

/** `"k:v,k2:v2"`, `["k:v", …]`, or `{ k: v }` (commas in keys/values become `_`). */
export type Tags = string | readonly string[] | Readonly<Record<string, string | number | boolean>>;

/**
 * Where records go: `'javy-io'` (`Javy.IO.writeSync`, builds with `-J javy-stream-io=y`),
 * `'console'` (`console.error`, every other Javy build and plugin), or undefined outside Javy
 * (Node, Deno, Bun, browsers), where every call is a silent no-op.
 */
export declare function channel(): 'javy-io' | 'console' | undefined;

/** Opens a span, a child of the innermost open span. */
export declare function spanEnter(name: string): void;
/** Closes the innermost open span. */
export declare function spanExit(): void;
/** Tags the innermost open span. */
export declare function spanTags(tags: Tags): void;
/** Tags the innermost open span with one `key:value`. */
export declare function spanTag(key: string, value: string | number | boolean): void;
/** How many spans opened through this module are still open. */
export declare function openSpans(): number;
/** A log line, attached to the innermost open span. */
export declare function log(level: LogLevel | number, message: string): void;
/** A metric payload in `format`, attached to the innermost open span. */
export declare function metric(format: MetricFormat | number, payload: string): void;

// statsd / DogStatsD lines sent as format-1 metrics; the same shape as the AssemblyScript
// library. 0 < sampleRate < 1 sends about that fraction of calls, marked `|@rate`.
/** Adds `value` to a counter (`c`). */
export declare function counter(name: string, value: number, sampleRate?: number, tags?: Tags): void;
/** Adds one to a counter (`c`). */
export declare function increment(name: string, sampleRate?: number, tags?: Tags): void;
/** Sets a gauge (`g`); statsd reads a signed value as a delta, so use gaugeDelta to go negative. */
export declare function gauge(name: string, value: number, sampleRate?: number, tags?: Tags): void;
/** Moves a gauge by `delta` (`g` with an explicit sign). */
export declare function gaugeDelta(name: string, delta: number, sampleRate?: number, tags?: Tags): void;
/** Records a duration in milliseconds (`ms`). */
export declare function timing(name: string, millis: number, sampleRate?: number, tags?: Tags): void;
/** Records a value in a histogram (`h`). */
export declare function histogram(name: string, value: number, sampleRate?: number, tags?: Tags): void;
/** Records a value in a distribution (`d`). */
export declare function distribution(name: string, value: number, sampleRate?: number, tags?: Tags): void;
/** Counts `value` among a set's unique members (`s`). */
export declare function set(name: string, value: string | number, sampleRate?: number, tags?: Tags): void;

/**
 * Runs `fn` in a span that closes on return, on throw, and — if `fn` returns a promise — when
 * it settles. A failed span is tagged `error.type:<Error name>` (`_OTHER` for a thrown
 * non-Error) and gets the error's text as an ERROR log; the error is rethrown unchanged. Spans
 * `fn` left open are closed with it.
 */
export declare function withSpan<T>(name: string, fn: () => T, tags?: Tags): T;

/** `fn`, traced: each call runs in a span named `name` (default `fn.name`). */
export declare function traced<A extends unknown[], R>(
  fn: (...args: A) => R,
  name?: string,
): (...args: A) => R;

/** One record's bytes (see FORMAT.md). For tools and tests; user code calls the API above. */
export declare function encodeRecord(op: number, arg: number, text: string): Uint8Array;
/** One text record, as written with console.error (FORMAT.md). For tools and tests. */
export declare function encodeTextRecord(op: number, arg: number, text: string): string;
