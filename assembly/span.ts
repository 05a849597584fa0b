// A handle on an open span for the enter → tag/log → exit pattern. AssemblyScript has no
// closures over locals, so instead of `inSpan(name, () => …)` the caller holds a handle and
// calls exit() on every path out (or uses the @span decorator, which does that for it).

import { log, openSpans, spanEnter, spanExit, spanTag, spanTags } from "./api";
import { LogLevel } from "./levels";

/**
 * The handle is the span's depth, not an object on the heap: opening and closing spans never
 * allocates. Tags and logs go to the innermost open span, as the ABI defines.
 */
// @ts-ignore: decorator
@final @unmanaged
export class Span {
  /** Open a span named `name` and return its handle. */
  static enter(name: string): Span {
    spanEnter(name);
    return changetype<Span>(<usize>openSpans());
  }

  /** Nesting level of this span among the spans opened through this library (1 = outermost). */
  get depth(): u32 {
    return <u32>changetype<usize>(this);
  }

  tag(key: string, value: string): Span {
    spanTag(key, value);
    return this;
  }

  tags<T>(tags: T): Span {
    spanTags<T>(tags);
    return this;
  }

  /**
   * Mark this span failed: tags it `error.type:<kind>`, which hosts export as status ERROR
   * (OpenTelemetry's convention; Datadog `error: 1`, Zipkin's `error` tag). Put the details in a
   * log. No allocation for a kind that fits the scratch buffer.
   */
  fail(kind: string): Span {
    spanTag("error.type", kind);
    return this;
  }

  log(level: LogLevel, message: string): Span {
    log(level, message);
    return this;
  }

  /** Close this span, and first any span opened inside it that is still open. */
  exit(): void {
    const depth = this.depth;
    while (openSpans() >= depth && openSpans() > 0) spanExit();
  }
}
