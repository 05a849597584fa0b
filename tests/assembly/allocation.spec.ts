// The hot path never touches the heap: a million calls of each function allocate nothing and
// grow no memory. The recording host counts every block the runtime allocates (rtrace).
import { LogLevel, MetricFormat, Span, counter, gauge, log, metric, spanEnter, spanExit, spanTags, timing } from "../../assembly/index";
import { allocations, clearCalls, setRecording, totalCalls } from "./host";

const CALLS = 1_000_000;
const TAGS: StaticArray<string> = ["route:/users/:id", "method:GET"];

describe("allocation", () => {
  beforeEach(() => {
    clearCalls();
    setRecording(false);
  });
  afterEach(() => setRecording(true));

  it("a million span/tag/log/metric calls allocate nothing", () => {
    const pages = memory.size();
    const before = allocations();
    for (let i = 0; i < CALLS; i++) {
      spanEnter("h\u00e9llo \u4e16\u754c");
      spanTags("user:42");
      spanTags(TAGS);
      log(LogLevel.Info, "request served \ud83d\ude80");
      metric(MetricFormat.Statsd, "requests:1|c");
      spanExit();
    }
    expect(allocations() - before).toBe(0);
    expect(memory.size()).toBe(pages);
    expect(totalCalls()).toBe(CALLS * 6);
  });

  it("a million Span handles and statsd lines allocate nothing", () => {
    const pages = memory.size();
    const before = allocations();
    for (let i = 0; i < CALLS; i++) {
      const s = Span.enter("handle");
      s.tag("attempt", "1").log(LogLevel.Debug, "ok");
      counter("requests", i, 0.5, "route:/home");
      gauge("load", <f64>i / 7.0);
      timing("latency", 1.25);
      s.exit();
    }
    expect(allocations() - before).toBe(0);
    expect(memory.size()).toBe(pages);
    expect(totalCalls()).toBe(CALLS * 7);
  });

  it("the counter sees a long string's one allocation", () => {
    const before = allocations();
    log(LogLevel.Info, "z".repeat(4096));
    expect(allocations() - before).toBe(2); // repeat()'s result and the spilled buffer
  });
});
