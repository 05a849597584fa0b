// Exports the library's ABI numbers and calls every import once, for the host-side checks.
import { LogLevel, MetricFormat, SCRATCH_BYTES, log, metric, spanEnter, spanExit, spanTags } from "../../../assembly/index";

export const ERROR: i32 = LogLevel.Error;
export const WARN: i32 = LogLevel.Warn;
export const INFO: i32 = LogLevel.Info;
export const DEBUG: i32 = LogLevel.Debug;
export const TRACE: i32 = LogLevel.Trace;
export const STATSD: i32 = MetricFormat.Statsd;
export const SCRATCH: i32 = <i32>SCRATCH_BYTES;

export function all(): void {
  spanEnter("a");
  spanTags("k:v");
  log(LogLevel.Info, "m");
  metric(MetricFormat.Statsd, "c:1|c");
  spanExit();
}
