// The statsd lines the helpers build.
import { counter, distribution, gauge, gaugeDelta, histogram, increment, seedSampling, set, timing } from "../../assembly/index";
import { METRIC, callCount, clearCalls, lastCall } from "./host";

function line(): string {
  expect(lastCall().kind).toBe(METRIC);
  expect(lastCall().number).toBe(1); // MetricFormat.Statsd
  return lastCall().text;
}

describe("statsd helpers", () => {
  beforeEach(() => clearCalls());

  it("counter and increment", () => {
    counter("requests", 3);
    expect(line()).toBe("requests:3|c");
    increment("requests");
    expect(line()).toBe("requests:1|c");
    counter("balance", -42);
    expect(line()).toBe("balance:-42|c");
    counter("big", 9223372036854775807);
    expect(line()).toBe("big:9223372036854775807|c");
  });

  it("gauge prints integral values without a fraction", () => {
    gauge("queue.depth", 17);
    expect(line()).toBe("queue.depth:17|g");
    gauge("load", 0.25);
    expect(line()).toBe("load:0.25|g");
    gauge("temp", -3.5);
    expect(line()).toBe("temp:-3.5|g");
  });

  it("gaugeDelta always carries a sign", () => {
    gaugeDelta("conns", 2);
    expect(line()).toBe("conns:+2|g");
    gaugeDelta("conns", -1);
    expect(line()).toBe("conns:-1|g");
  });

  it("timing, histogram, distribution, set", () => {
    timing("db.query", 12.5);
    expect(line()).toBe("db.query:12.5|ms");
    histogram("payload.bytes", 512);
    expect(line()).toBe("payload.bytes:512|h");
    distribution("latency", 0.003);
    expect(line()).toBe("latency:0.003|d");
    set("users", "alice");
    expect(line()).toBe("users:alice|s");
  });

  it("adds a sample rate other than 1 and tags", () => {
    seedSampling(7);
    while (callCount() == 0) increment("hits", 0.5);
    expect(line()).toBe("hits:1|c|@0.5");
    timing("render", 4, 1.0, "route:/home,method:GET");
    expect(line()).toBe("render:4|ms|#route:/home,method:GET");
    clearCalls();
    while (callCount() == 0) gauge("mem", 1024, 0.1, "host:a");
    expect(line()).toBe("mem:1024|g|@0.1|#host:a");
  });

  it("samples in the guest: a rate r sends about r of the calls, none for r <= 0", () => {
    seedSampling(42);
    for (let i = 0; i < 10000; i++) increment("sampled", 0.25);
    expect(callCount()).toBeGreaterThan(2300);
    expect(callCount()).toBeLessThan(2700);
    clearCalls();
    for (let i = 0; i < 1000; i++) increment("never", 0.0);
    expect(callCount()).toBe(0);
    for (let i = 0; i < 1000; i++) increment("always", 1.0);
    expect(callCount()).toBe(1000);
  });

  it("encodes non-ASCII names and tags as UTF-8", () => {
    counter("caf\u00e9", 1, 1.0, "city:Z\u00fcrich");
    expect(line()).toBe("caf\u00e9:1|c|#city:Z\u00fcrich");
    expect(lastCall().bytes.length).toBe(23); // "café" 5, ":1|c|#city:" 11, "Zürich" 7
  });

  it("builds a line longer than the scratch buffer in full", () => {
    const name = "n".repeat(1500);
    seedSampling(3);
    while (callCount() == 0) histogram(name, 1.5, 0.25, "k:v");
    expect(line()).toBe(name + ":1.5|h|@0.25|#k:v");
  });
});
