// statsd / DogStatsD helpers: each builds `name:value|type[|@rate][|#tags]` straight into the
// scratch buffer and sends it as one `metric` call in MetricFormat.Statsd.
// Tags are one `key:value,key2:value2` string, so a literal costs nothing at run time.

import * as host from "./imports";
import { MetricFormat } from "./levels";
import { begin, fits, length, spill, start, writeByte, writeFloat, writeInt, writeString } from "./payload";

/** Add `value` to a counter (`c`). */
export function counter(name: string, value: i64, sampleRate: f64 = 1.0, tags: string = ""): void {
  send<i64>(name, value, "c", sampleRate, tags);
}

/** Add one to a counter (`c`). */
export function increment(name: string, sampleRate: f64 = 1.0, tags: string = ""): void {
  send<i64>(name, 1, "c", sampleRate, tags);
}

/** Set a gauge (`g`) to `value`. */
export function gauge(name: string, value: f64, sampleRate: f64 = 1.0, tags: string = ""): void {
  send<f64>(name, value, "g", sampleRate, tags);
}

/** Move a gauge by `delta` (DogStatsD `g` with an explicit sign). */
export function gaugeDelta(name: string, delta: f64, sampleRate: f64 = 1.0, tags: string = ""): void {
  send<f64>(name, delta, "g", sampleRate, tags, true);
}

/** Record a duration in milliseconds (`ms`). */
export function timing(name: string, millis: f64, sampleRate: f64 = 1.0, tags: string = ""): void {
  send<f64>(name, millis, "ms", sampleRate, tags);
}

/** Record a value in a histogram (`h`). */
export function histogram(name: string, value: f64, sampleRate: f64 = 1.0, tags: string = ""): void {
  send<f64>(name, value, "h", sampleRate, tags);
}

/** Record a value in a distribution (`d`). */
export function distribution(name: string, value: f64, sampleRate: f64 = 1.0, tags: string = ""): void {
  send<f64>(name, value, "d", sampleRate, tags);
}

/** Count `value` among a set's unique members (`s`). */
export function set(name: string, value: string, sampleRate: f64 = 1.0, tags: string = ""): void {
  send<string>(name, value, "s", sampleRate, tags);
}

/**
 * Sampling happens in the guest, as statsd clients do: a call with a rate r < 1 is sent with
 * probability r and marked `|@r`, so the receiver scales it back up. The generator is a
 * xorshift32 kept in the module (no host import, no allocation); `seedSampling` makes a run
 * reproducible.
 */
const DEFAULT_SEED: u32 = 0x2545f491;
let sampleState: u32 = DEFAULT_SEED;

export function seedSampling(seed: u32): void {
  sampleState = seed == 0 ? DEFAULT_SEED : seed;
}

function sampled(rate: f64): bool {
  if (rate >= 1.0) return true;
  let x = sampleState;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  sampleState = x;
  return <f64>x < rate * 4294967296.0; // false for a rate ≤ 0 or NaN
}

function send<T>(name: string, value: T, type: string, rate: f64, tags: string, signed: bool = false): void {
  if (!sampled(rate)) return;
  begin();
  writeLine<T>(name, value, type, rate, tags, signed);
  if (!fits()) {
    spill();
    writeLine<T>(name, value, type, rate, tags, signed);
  }
  host.metric(MetricFormat.Statsd, start(), length());
}

function writeLine<T>(name: string, value: T, type: string, rate: f64, tags: string, signed: bool): void {
  writeString(name);
  writeByte(0x3a); // ':'
  if (isString<T>()) {
    writeString(changetype<string>(value));
  } else if (isInteger<T>()) {
    writeInt(<i64>value);
  } else {
    // A gauge delta needs its sign even when positive: `+3` moves, `3` sets.
    if (signed && <f64>value >= 0) writeByte(0x2b); // '+'
    writeFloat(<f64>value);
  }
  writeByte(0x7c); // '|'
  writeString(type);
  if (rate != 1.0) {
    writeByte(0x7c);
    writeByte(0x40); // '@'
    writeFloat(rate);
  }
  if (tags.length > 0) {
    writeByte(0x7c);
    writeByte(0x23); // '#'
    writeString(tags);
  }
}
