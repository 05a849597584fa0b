/**
 * A guest span as a Datadog agent span (trace intake v0.4, the format dd-trace encodes with
 * msgpack). Datadog ids are unsigned 64-bit: they stay BigInts end to end, so no id loses
 * precision; a 128-bit OpenTelemetry trace id sends its low half as `trace_id` and its high half
 * as the `_dd.p.tid` tag, as dd-trace does.
 */
import { SpanStatusCode, type AttributeValue } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ATTR, DATADOG, EVENT } from '../trace/vocabulary.ts';
import { attributeMap } from '../trace/tags.ts';

export const DATADOG_TRACE_TYPES = ['web', 'db', 'cache', 'custom'] as const;
export type DatadogTraceType = (typeof DATADOG_TRACE_TYPES)[number];

/** Per-trace metadata for the root span, the fields of the Dylibso Datadog adapter. */
export interface DatadogMetadata {
  resourceName?: string;
  httpUrl?: string;
  httpMethod?: string;
  httpStatusCode?: number;
  httpClientIp?: string;
  httpRequestContentLength?: number;
  httpResponseContentLength?: number;
  spanKind?: 'server' | 'client' | 'producer' | 'consumer' | 'internal';
}

export interface DatadogSpan {
  trace_id: bigint;
  span_id: bigint;
  parent_id: bigint;
  name: string;
  resource: string;
  service: string;
  type: string;
  error: number;
  meta: Record<string, string>;
  metrics: Record<string, number>;
  /** Nanoseconds since the epoch. */
  start: bigint;
  duration: bigint;
}

export interface SpanDefaults {
  service: string;
  type: DatadogTraceType;
  /** Tags on every span: default tags, `env`, `version`. */
  tags: Record<string, string>;
}

/** The low 64 bits of a hex id, as Datadog's unsigned id. */
export function ddId(hex: string): bigint {
  return hex === '' ? 0n : BigInt.asUintN(64, BigInt(`0x${hex}`));
}

function toDatadog(span: ReadableSpan, defaults: SpanDefaults): DatadogSpan {
  const context = span.spanContext();
  // Guest tags become keys here: maps without a prototype for a `__proto__` tag to reach.
  const meta = Object.assign(attributeMap<string>(), defaults.tags);
  const metrics = attributeMap<number>();
  for (const [key, value] of Object.entries(span.attributes)) put(meta, metrics, key, value);
  let error = 0;
  if (span.status.code === SpanStatusCode.ERROR) {
    error = 1;
    meta[ATTR.errorMessage] = span.status.message ?? 'error';
    const exception = span.events.find((e) => e.name === EVENT.exception)?.attributes;
    if (exception?.[ATTR.exceptionType] !== undefined) meta[ATTR.errorType] = String(exception[ATTR.exceptionType]);
    if (exception?.[ATTR.exceptionStacktrace] !== undefined) meta[ATTR.errorStack] = String(exception[ATTR.exceptionStacktrace]);
  }
  return {
    trace_id: ddId(context.traceId),
    span_id: ddId(context.spanId),
    parent_id: ddId(span.parentSpanContext?.spanId ?? ''),
    name: span.name,
    resource: span.name,
    service: defaults.service,
    type: defaults.type,
    error,
    meta,
    metrics,
    start: nanos(span.startTime),
    duration: nanos(span.duration),
  };
}

/**
 * One trace's spans (or a part of a long trace) as an agent chunk. Its roots (spans whose parent
 * is not in it) get sampling priority "keep", so the agent does not drop the guest's trace, and
 * the per-trace metadata; the 128-bit trace id's high half goes on the first span.
 */
export function toChunk(spans: readonly ReadableSpan[], defaults: SpanDefaults, metadata: DatadogMetadata | undefined): DatadogSpan[] {
  const chunk = spans.map((span) => toDatadog(span, defaults));
  const ids = new Set(chunk.map((s) => s.span_id));
  chunk[0]!.meta[DATADOG.traceIdHigh] = spans[0]!.spanContext().traceId.slice(0, 16);
  for (const span of chunk) {
    if (ids.has(span.parent_id)) continue;
    span.metrics[DATADOG.samplingPriority] = 1;
    span.metrics[DATADOG.topLevel] = 1;
    if (metadata) applyMetadata(span, metadata);
  }
  return chunk;
}

function applyMetadata(span: DatadogSpan, m: DatadogMetadata): void {
  if (m.resourceName !== undefined) span.resource = m.resourceName;
  const meta: [string, string | undefined][] = [
    [ATTR.httpUrl, m.httpUrl],
    [ATTR.httpMethod, m.httpMethod],
    [ATTR.httpStatusCode, m.httpStatusCode?.toString()],
    [ATTR.httpClientIp, m.httpClientIp],
    [ATTR.httpRequestContentLength, m.httpRequestContentLength?.toString()],
    [ATTR.httpResponseContentLength, m.httpResponseContentLength?.toString()],
    [ATTR.spanKind, m.spanKind],
  ];
  for (const [key, value] of meta) if (value !== undefined) span.meta[key] = value;
  // Datadog marks 5xx responses as errors on web spans.
  if (m.httpStatusCode !== undefined && m.httpStatusCode >= 500) span.error = 1;
}

/** Numbers Dylibso's Datadog adapter sends as meta, where dashboards built on it look for them. */
const NUMBERS_AS_META: ReadonlySet<string> = new Set([ATTR.allocation]);

/** Strings (and lists, joined) go to `meta`, numbers to `metrics`, as Datadog types them. */
function put(meta: Record<string, string>, metrics: Record<string, number>, key: string, value: AttributeValue | undefined): void {
  if (value === undefined) return;
  if (typeof value === 'number' && !NUMBERS_AS_META.has(key)) metrics[key] = value;
  else if (Array.isArray(value)) meta[key] = value.join(',');
  else meta[key] = String(value);
}

function nanos([seconds, ns]: readonly [number, number]): bigint {
  return BigInt(seconds) * 1_000_000_000n + BigInt(ns);
}
