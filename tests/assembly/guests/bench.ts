// Loops for bench/guest.bench.ts: each runs one kind of call `n` times, so the host can time
// the guest-side cost per call against no-op imports.

import { LogLevel, MetricFormat, Span, counter, log, metric, spanEnter, spanExit, spanTags, timing } from "../../../assembly/index";
import * as raw from "../../../assembly/imports";

const NAME = memory.data<u8>([0x68, 0x61, 0x6e, 0x64, 0x6c, 0x65]); // "handle", pre-encoded
const TAGS: StaticArray<string> = ["route:/users/:id", "method:GET"];

/** The floor: calling the imports with pre-encoded bytes, no library code. */
export function rawEnterExit(n: i32): void {
  for (let i = 0; i < n; i++) {
    raw.span_enter(NAME, 6);
    raw.span_exit();
  }
}

export function enterExit(n: i32): void {
  for (let i = 0; i < n; i++) {
    spanEnter("handle");
    spanExit();
  }
}

export function enterExitNonAscii(n: i32): void {
  for (let i = 0; i < n; i++) {
    spanEnter("r\u00e9ponse \u65e5\u672c \ud83d\ude80");
    spanExit();
  }
}

export function logLine(n: i32): void {
  for (let i = 0; i < n; i++) log(LogLevel.Info, "request handled in 3 ms");
}

export function metricLine(n: i32): void {
  for (let i = 0; i < n; i++) metric(MetricFormat.Statsd, "requests:1|c|#route:home");
}

export function tagArray(n: i32): void {
  for (let i = 0; i < n; i++) spanTags(TAGS);
}

export function statsdCounter(n: i32): void {
  for (let i = 0; i < n; i++) counter("requests", i, 1.0, "route:home");
}

export function statsdTiming(n: i32): void {
  for (let i = 0; i < n; i++) timing("latency", 3.25, 0.5);
}

export function spanHandle(n: i32): void {
  for (let i = 0; i < n; i++) {
    const s = Span.enter("handle");
    s.tag("user", "42");
    s.exit();
  }
}

@span
function decorated(i: i32): i32 {
  return i + 1;
}

export function decoratedCall(n: i32): i32 {
  let x = 0;
  for (let i = 0; i < n; i++) x = decorated(x);
  return x;
}

/** The stub runtime's heap top: any allocation in between moves it (see tests/assembly/host.ts). */
export function heapTop(): usize {
  return changetype<usize>(new ArrayBuffer(0));
}
