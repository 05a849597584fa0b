/**
 * The OTLP request messages, as a protobufjs schema: the field numbers and types of
 * opentelemetry-proto v1 (collector/{trace,logs,metrics}/v1 and the messages they hold), for the
 * fields the tests read. protobufjs skips the fields left out, as any proto3 reader does.
 */
import protobuf from 'protobufjs';

const f = (id: number, type: string, rule?: 'repeated') => (rule ? { id, type, rule } : { id, type });

const schema = {
  nested: {
    otlp: {
      nested: {
        AnyValue: {
          oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
          fields: {
            stringValue: f(1, 'string'),
            boolValue: f(2, 'bool'),
            intValue: f(3, 'int64'),
            doubleValue: f(4, 'double'),
            arrayValue: f(5, 'ArrayValue'),
            kvlistValue: f(6, 'KeyValueList'),
            bytesValue: f(7, 'bytes'),
          },
        },
        ArrayValue: { fields: { values: f(1, 'AnyValue', 'repeated') } },
        KeyValueList: { fields: { values: f(1, 'KeyValue', 'repeated') } },
        KeyValue: { fields: { key: f(1, 'string'), value: f(2, 'AnyValue') } },
        InstrumentationScope: { fields: { name: f(1, 'string'), version: f(2, 'string') } },
        Resource: { fields: { attributes: f(1, 'KeyValue', 'repeated') } },

        ExportTraceServiceRequest: { fields: { resourceSpans: f(1, 'ResourceSpans', 'repeated') } },
        ResourceSpans: { fields: { resource: f(1, 'Resource'), scopeSpans: f(2, 'ScopeSpans', 'repeated') } },
        ScopeSpans: { fields: { scope: f(1, 'InstrumentationScope'), spans: f(2, 'Span', 'repeated') } },
        Span: {
          fields: {
            traceId: f(1, 'bytes'),
            spanId: f(2, 'bytes'),
            parentSpanId: f(4, 'bytes'),
            name: f(5, 'string'),
            kind: f(6, 'int32'),
            startTimeUnixNano: f(7, 'fixed64'),
            endTimeUnixNano: f(8, 'fixed64'),
            attributes: f(9, 'KeyValue', 'repeated'),
            events: f(11, 'Event', 'repeated'),
            status: f(15, 'Status'),
          },
        },
        Event: { fields: { timeUnixNano: f(1, 'fixed64'), name: f(2, 'string'), attributes: f(3, 'KeyValue', 'repeated') } },
        Status: { fields: { message: f(2, 'string'), code: f(3, 'int32') } },

        ExportLogsServiceRequest: { fields: { resourceLogs: f(1, 'ResourceLogs', 'repeated') } },
        ResourceLogs: { fields: { resource: f(1, 'Resource'), scopeLogs: f(2, 'ScopeLogs', 'repeated') } },
        ScopeLogs: { fields: { scope: f(1, 'InstrumentationScope'), logRecords: f(2, 'LogRecord', 'repeated') } },
        LogRecord: {
          fields: {
            timeUnixNano: f(1, 'fixed64'),
            severityNumber: f(2, 'int32'),
            severityText: f(3, 'string'),
            body: f(5, 'AnyValue'),
            attributes: f(6, 'KeyValue', 'repeated'),
            traceId: f(9, 'bytes'),
            spanId: f(10, 'bytes'),
          },
        },

        ExportMetricsServiceRequest: { fields: { resourceMetrics: f(1, 'ResourceMetrics', 'repeated') } },
        ResourceMetrics: { fields: { resource: f(1, 'Resource'), scopeMetrics: f(2, 'ScopeMetrics', 'repeated') } },
        ScopeMetrics: { fields: { scope: f(1, 'InstrumentationScope'), metrics: f(2, 'Metric', 'repeated') } },
        Metric: {
          fields: {
            name: f(1, 'string'),
            unit: f(3, 'string'),
            gauge: f(5, 'Gauge'),
            sum: f(7, 'Sum'),
            histogram: f(9, 'Histogram'),
          },
        },
        Gauge: { fields: { dataPoints: f(1, 'NumberDataPoint', 'repeated') } },
        Sum: { fields: { dataPoints: f(1, 'NumberDataPoint', 'repeated'), aggregationTemporality: f(2, 'int32'), isMonotonic: f(3, 'bool') } },
        Histogram: { fields: { dataPoints: f(1, 'HistogramDataPoint', 'repeated'), aggregationTemporality: f(2, 'int32') } },
        NumberDataPoint: {
          fields: {
            timeUnixNano: f(3, 'fixed64'),
            asDouble: f(4, 'double'),
            asInt: f(6, 'sfixed64'),
            attributes: f(7, 'KeyValue', 'repeated'),
          },
        },
        HistogramDataPoint: {
          fields: {
            count: f(4, 'fixed64'),
            sum: f(5, 'double'),
            attributes: f(9, 'KeyValue', 'repeated'),
            min: f(11, 'double'),
            max: f(12, 'double'),
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(schema);

export type RequestKind = 'ExportTraceServiceRequest' | 'ExportLogsServiceRequest' | 'ExportMetricsServiceRequest';

/**
 * Decodes a binary request into the OTLP/JSON shape (ids as hex, 64-bit numbers as strings),
 * so one set of checks reads both encodings.
 */
export function decodeProtobuf(kind: RequestKind, bytes: Uint8Array): unknown {
  const type = root.lookupType(`otlp.${kind}`);
  const object = type.toObject(type.decode(bytes), { longs: String, bytes: Array, defaults: false, oneofs: false });
  return hexIds(object);
}

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

function hexIds(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    if (ID_FIELDS.has(key)) return Buffer.from(value as number[]).toString('hex');
    return value.map((v) => hexIds(v));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hexIds(v, k)]));
  }
  return value;
}
