/**
 * What an OTLP receiver got, decoded from either encoding into the OTLP/JSON shape and
 * flattened: spans, log records and metrics with their attributes as plain maps.
 */
import type { Received } from './loopback.ts';
import { decodeProtobuf, type RequestKind } from './otlp-schema.ts';

export interface FlatSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
  service: unknown;
}
export interface FlatLog {
  traceId: string;
  spanId: string;
  severityNumber: number;
  body: unknown;
}
export interface FlatMetric {
  name: string;
  kind: 'sum' | 'gauge' | 'histogram';
  points: { value?: number; count?: number; sum?: number; attributes: Record<string, unknown> }[];
}

const KIND: Record<string, RequestKind> = {
  '/v1/traces': 'ExportTraceServiceRequest',
  '/v1/logs': 'ExportLogsServiceRequest',
  '/v1/metrics': 'ExportMetricsServiceRequest',
};

type Json = Record<string, any>;

/** Decodes one request body by its content type (protobuf or JSON). */
export function decodeRequest(kind: RequestKind, req: Pick<Received, 'headers' | 'body'>): Json {
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('json')) return JSON.parse(req.body.toString('utf8')) as Json;
  return decodeProtobuf(kind, req.body) as Json;
}

export function decodeAll(requests: Received[]): { spans: FlatSpan[]; logs: FlatLog[]; metrics: FlatMetric[] } {
  const spans: FlatSpan[] = [];
  const logs: FlatLog[] = [];
  const metrics: FlatMetric[] = [];
  for (const req of requests) {
    const kind = KIND[req.path.replace(/^.*(\/v1\/\w+)$/, '$1')];
    if (kind === undefined || req.status >= 300) continue;
    collect(kind, decodeRequest(kind, req), { spans, logs, metrics });
  }
  return { spans, logs, metrics };
}

export function collect(kind: RequestKind, body: Json, out: { spans: FlatSpan[]; logs: FlatLog[]; metrics: FlatMetric[] }): void {
  if (kind === 'ExportTraceServiceRequest') {
    for (const rs of body.resourceSpans ?? []) {
      const service = attrs(rs.resource?.attributes)['service.name'];
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          out.spans.push({ traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, attributes: attrs(s.attributes), service });
        }
      }
    }
  } else if (kind === 'ExportLogsServiceRequest') {
    for (const rl of body.resourceLogs ?? []) {
      for (const sl of rl.scopeLogs ?? []) {
        for (const l of sl.logRecords ?? []) {
          out.logs.push({ traceId: l.traceId ?? '', spanId: l.spanId ?? '', severityNumber: l.severityNumber, body: value(l.body) });
        }
      }
    }
  } else {
    for (const rm of body.resourceMetrics ?? []) {
      for (const sm of rm.scopeMetrics ?? []) {
        for (const m of sm.metrics ?? []) {
          const kind = m.histogram ? 'histogram' : m.sum ? 'sum' : 'gauge';
          const points = (m.histogram ?? m.sum ?? m.gauge).dataPoints.map((p: Json) => ({
            value: p.asDouble ?? (p.asInt === undefined ? undefined : Number(p.asInt)),
            count: p.count === undefined ? undefined : Number(p.count),
            sum: p.sum,
            attributes: attrs(p.attributes),
          }));
          out.metrics.push({ name: m.name, kind, points });
        }
      }
    }
  }
}

function attrs(list: Json[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));
}

function value(v: Json | undefined): unknown {
  if (v === undefined) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(value);
  return v;
}
