/** Log levels as the Observe ABI numbers them. */
export declare const LogLevel: Readonly<{ Error: 1; Warn: 2; Info: 3; Debug: 4; Trace: 5 }>;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** Metric payload formats. */
export declare const MetricFormat: Readonly<{ Statsd: 1 }>;
export type MetricFormat = (typeof MetricFormat)[keyof typeof MetricFormat];

/** `"k:v,k2:v2"`, `["k:v", …]`, or `{ k: v }` (commas in keys/values become `_`). */
export type Tags = string | readonly string[] | Readonly<Record<string, string | number | boolean>>;

export interface StatsdOptions {
  /** 0 < rate < 1: the client sends about this fraction of calls and marks them `|@rate`. */
  sampleRate?: number;
  /** DogStatsD tags, sent as `|#k:v,…`. */
  tags?: Tags;
}

export interface GaugeOptions extends StatsdOptions {
  /** Send `+n`/`-n`: adjust the gauge rather than set it. */
  delta?: boolean;
}

/** Opens a span, a child of the innermost open span. */
export declare function spanEnter(name: string): void;
/** Closes the innermost open span. */
export declare function spanExit(): void;
/** Tags the innermost open span. */
export declare function spanTags(tags: Tags): void;
/** A log line, attached to the innermost open span. */
export declare function log(level: LogLevel | number, message: string): void;
/** A metric payload in `format`, attached to the innermost open span. */
export declare function metric(format: MetricFormat | number, payload: string): void;

/**
 * statsd / DogStatsD lines sent as format-1 metrics. Note statsd reads a gauge value with a
 * leading sign as a delta, so a negative absolute gauge is not expressible (statsd's rule).
 */
export declare const statsd: Readonly<{
  increment(name: string, value?: number, options?: StatsdOptions): void;
  decrement(name: string, value?: number, options?: StatsdOptions): void;
  gauge(name: string, value: number, options?: GaugeOptions): void;
  timing(name: string, milliseconds: number, options?: StatsdOptions): void;
  histogram(name: string, value: number, options?: StatsdOptions): void;
  distribution(name: string, value: number, options?: StatsdOptions): void;
  set(name: string, value: string | number, options?: StatsdOptions): void;
}>;

/**
 * Runs `fn` in a span that closes on return, on throw, and — if `fn` returns a promise — when
 * it settles. Errors are logged at ERROR level and rethrown unchanged.
 */
export declare function withSpan<T>(name: string, fn: () => T, tags?: Tags): T;

/** `fn`, traced: each call runs in a span named `name` (default `fn.name`). */
export declare function traced<A extends unknown[], R>(
  fn: (...args: A) => R,
  name?: string,
): (...args: A) => R;

/** One record's bytes (see FORMAT.md). For tools and tests; user code calls the API above. */
export declare function encodeRecord(op: number, arg: number, text: string): Uint8Array;
