// The Observe API as AssemblyScript functions: one host call each, no heap allocation unless a
// payload is longer than the scratch buffer (see payload.ts).

import * as host from "./imports";
import { LogLevel, MetricFormat } from "./levels";
import { begin, fits, length, spill, start, writeByte, writeString } from "./payload";

// Spans this library opened and has not closed; lets Span.exit close what was left open inside.
let depth: u32 = 0;

/** How many spans opened through this library are still open. */
export function openSpans(): u32 {
  return depth;
}

/** Open a span named `name`, a child of the innermost open span. */
export function spanEnter(name: string): void {
  text(name);
  host.span_enter(start(), length());
  depth++;
}

/** Close the innermost open span. */
export function spanExit(): void {
  host.span_exit();
  if (depth > 0) depth--;
}

/**
 * Tag the innermost open span. `tags` is one `key:value,key2:value2` string, or an array of
 * `key:value` strings, joined with `,` as the ABI wants without building a string.
 */
export function spanTags<T>(tags: T): void {
  if (isString<T>()) {
    text(changetype<string>(tags));
  } else if (isArrayLike<T>()) {
    begin();
    writeJoined<T>(tags);
    if (!fits()) {
      spill();
      writeJoined<T>(tags);
    }
  } else {
    ERROR("spanTags takes a string or an array of strings");
  }
  host.span_tags(start(), length());
}

/** Tag the innermost open span with one `key:value` pair. */
export function spanTag(key: string, value: string): void {
  begin();
  writeKeyValue(key, value);
  if (!fits()) {
    spill();
    writeKeyValue(key, value);
  }
  host.span_tags(start(), length());
}

/** Send a log line at `level`, attached to the innermost open span. */
export function log(level: LogLevel, message: string): void {
  text(message);
  host.log(level, start(), length());
}

/** Send a metric payload in `format` (for statsd lines, the helpers in statsd.ts build it). */
export function metric(format: MetricFormat, payload: string): void {
  text(payload);
  host.metric(format, start(), length());
}

// Encodes one string; a string too long for the scratch buffer goes to a heap buffer, which
// nothing frees before the host call returns because nothing allocates in between.
function text(s: string): void {
  begin();
  writeString(s);
  if (!fits()) {
    spill();
    writeString(s);
  }
}

function writeJoined<T>(tags: T): void {
  // @ts-ignore: T is an array of strings here
  for (let i = 0, n = tags.length; i < n; i++) {
    if (i > 0) writeByte(0x2c); // ','
    // @ts-ignore: T is an array of strings here
    writeString(unchecked(tags[i]));
  }
}

function writeKeyValue(key: string, value: string): void {
  writeString(key);
  writeByte(0x3a); // ':'
  writeString(value);
}
