import { LogLevel, MetricFormat } from "../../assembly/index";

describe("ABI numbers", () => {
  it("numbers log levels as the ABI: 1 error … 5 trace", () => {
    expect<i32>(LogLevel.Error).toBe(1);
    expect<i32>(LogLevel.Warn).toBe(2);
    expect<i32>(LogLevel.Info).toBe(3);
    expect<i32>(LogLevel.Debug).toBe(4);
    expect<i32>(LogLevel.Trace).toBe(5);
  });

  it("numbers the statsd metric format 1", () => {
    expect<i32>(MetricFormat.Statsd).toBe(1);
  });
});
