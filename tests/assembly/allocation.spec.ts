// The hot path never touches the heap: a million calls of each function allocate nothing and
// grow no memory. Specs run on the stub runtime, where any allocation moves the heap top.
import { LogLevel, MetricFormat, Span, counter, distribution, gauge, gaugeDelta, histogram, increment, log, metric, set, spanEnter, spanExit, spanTags, timing } from "../../assembly/index";
import { clearCalls, heapGrowth, heapTop, setRecording, totalCalls } from "./host";

const CALLS = 1_000_000;
const TAGS: StaticArray<string> = ["route:/users/:id", "method:GET"];

describe("heap growth", () => {
  beforeEach(() => {
    clearCalls();
    setRecording(false);
  });
  afterEach(() => setRecording(true));

  it("is zero over a million span/tag/log/metric calls", () => {
    const pages = memory.size();
    const before = heapTop();
    for (let i = 0; i < CALLS; i++) {
      spanEnter("h\u00e9llo \u4e16\u754c");
      spanTags("user:42");
      spanTags(TAGS);
      log(LogLevel.Info, "request served \ud83d\ude80");
      metric(MetricFormat.Statsd, "requests:1|c");
      spanExit();
    }
    expect(heapGrowth(before)).toBe(0);
    expect(memory.size()).toBe(pages);
    expect(totalCalls()).toBe(CALLS * 6);
  });

  it("is zero over a million Span handles and statsd lines", () => {
    const pages = memory.size();
    const before = heapTop();
    for (let i = 0; i < CALLS; i++) {
      const s = Span.enter("handle");
      s.tag("attempt", "1").tags(TAGS).log(LogLevel.Debug, "ok").fail("timeout");
      counter("requests", i, 1.0, "route:/home");
      gauge("load", <f64>i / 7.0);
      timing("latency", 1.25);
      s.exit();
    }
    expect(heapGrowth(before)).toBe(0);
    expect(memory.size()).toBe(pages);
    expect(totalCalls()).toBe(CALLS * 9);
  });

  it("is zero over a million calls of the other statsd helpers", () => {
    const pages = memory.size();
    const before = heapTop();
    for (let i = 0; i < CALLS; i++) {
      increment("hits", 1.0, "route:/home");
      gaugeDelta("conns", -1.5);
      histogram("bytes", <f64>i);
      distribution("latency", 0.003);
      set("users", "alice");
    }
    expect(heapGrowth(before)).toBe(0);
    expect(memory.size()).toBe(pages);
    expect(totalCalls()).toBe(CALLS * 5);
  });

  it("shows the one buffer a string longer than the scratch buffer needs", () => {
    const long = "z".repeat(4096);
    const before = heapTop();
    log(LogLevel.Info, long);
    const growth = heapGrowth(before);
    // 4096 bytes of payload plus the runtime's block header, rounded to its alignment.
    expect(growth).toBeGreaterThanOrEqual(4096);
    expect(growth).toBeLessThan(4096 + 64);
  });
});
