/**
 * Where a guest trace hangs in the host's own trace: a W3C `traceparent` (the CLI's
 * `--traceparent`, `TRACEPARENT`), or the embedding program's active OpenTelemetry span.
 * Parsing is OpenTelemetry's own propagator, so what it accepts is exactly what the SDKs accept.
 */
import { ROOT_CONTEXT, defaultTextMapGetter, isSpanContextValid, trace, type SpanContext } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

const propagator = new W3CTraceContextPropagator();

/** The span context a `traceparent` (and optional `tracestate`) names; undefined if malformed. */
export function parseTraceparent(traceparent: string, tracestate?: string): SpanContext | undefined {
  const carrier: Record<string, string> = { traceparent: traceparent.trim() };
  if (tracestate !== undefined) carrier.tracestate = tracestate;
  const context = propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  const span = trace.getSpanContext(context);
  return span !== undefined && isSpanContextValid(span) ? span : undefined;
}

/** The embedding program's active span, if it has one (and a context manager is registered). */
export function activeSpanContext(): SpanContext | undefined {
  const span = trace.getActiveSpan()?.spanContext();
  return span !== undefined && isSpanContextValid(span) ? span : undefined;
}
