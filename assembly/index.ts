// wasm-observe for AssemblyScript: report spans, logs and metrics to any Observe API host.
// `import { Span, log, LogLevel } from "wasm-observe/assembly"`.

export { LogLevel, MetricFormat } from "./levels";
export { spanEnter, spanExit, spanTags, spanTag, log, metric, openSpans } from "./api";
export { Span } from "./span";
export { counter, increment, gauge, gaugeDelta, timing, histogram, distribution, set, seedSampling } from "./statsd";
export { SCRATCH_BYTES } from "./payload";
