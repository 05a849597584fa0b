// The Observe ABI's numbers, as the guest sends them. host/abi/spec.ts holds the host's copy;
// tests/assemblyscript/abi.test.ts compiles this file and checks the two agree.

/** Severity of a `log` call. */
export enum LogLevel {
  Error = 1,
  Warn = 2,
  Info = 3,
  Debug = 4,
  Trace = 5,
}

/** How the host should read a `metric` payload. */
export enum MetricFormat {
  /** statsd / DogStatsD lines: `name:value|type[|@rate][|#k:v,…]`, several joined by `\n`. */
  Statsd = 1,
}
