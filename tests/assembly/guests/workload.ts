// A guest for the conformance tests: every API call, a decorated function with an early
// return, and non-ASCII text, in a fixed order the tests can check.

import { LogLevel, MetricFormat, Span, counter, gauge, log, metric, spanTags, timing } from "../../../assembly/index";

@span
function classify(n: i32): string {
  if (n < 0) return "negative";
  log(LogLevel.Debug, "classifying " + n.toString());
  return n == 0 ? "zero" : "positive";
}

export function run(): void {
  const outer = Span.enter("work\u00e9 \u65e5\u672c");
  outer.tag("job", "import").tags(["tenant:acme", "region:eu-west"]);
  const inner = Span.enter("step");
  inner.log(LogLevel.Warn, "slow step \ud83d\udc22");
  classify(-1);
  classify(7);
  inner.exit();
  log(LogLevel.Error, "x".repeat(3000));
  counter("jobs", 2, 1.0, "kind:import");
  gauge("queue", 12);
  timing("step.ms", 3.5);
  metric(MetricFormat.Statsd, "raw:4|c");
  spanTags("done:yes");
  outer.exit();
}
