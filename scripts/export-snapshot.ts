/**
 * What the OTLP, Datadog, Zipkin and statsd exporters send for the examples, as sorted sets with
 * ids, timestamps and durations normalised: a snapshot to compare two builds of the CLI (before
 * and after a change to the exporters) item by item.
 *
 *   node --import tsx scripts/export-snapshot.ts <checkout> <snapshot.json> <module.wasm>[:stdin]…
 *   node --import tsx scripts/export-snapshot.ts --compare <before.json> <after.json>
 *
 * `<checkout>` is a repository with `dist/` built; its `bin/wasm-observe.js` runs each module with
 * `--min-span-us 0` and every exporter at once, against backends on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from '@msgpack/msgpack';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Snapshot = Record<string, Record<string, string[]>>;

const TIME_KEYS = new Set([
  'startTimeUnixNano', 'endTimeUnixNano', 'timeUnixNano', 'observedTimeUnixNano', 'start', 'duration', 'timestamp',
]);
const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId', 'id', 'parentId', 'trace_id', 'span_id', 'parent_id', '_dd.p.tid', 'dd.trace_id', 'dd.span_id', 'otel.trace_id']);

/** Ids and times replaced by placeholders, bigints as text, keys sorted. */
function normalise(value: unknown, key = ''): Json {
  if (typeof value === 'bigint') value = value.toString();
  if (ID_KEYS.has(key) && value !== '0' && value !== '' && value !== undefined) return 'ID';
  if (TIME_KEYS.has(key)) return 'T';
  if (typeof value === 'string') {
    // Timer values (`ms`) are durations the guest measured: as a statsd line and a Zipkin annotation.
    return value.replace(/\b(trace_id|span_id):[0-9a-f]+/g, '$1:ID').replace(/:[-+0-9.e]+\|ms\b/, ':D|ms').replace(/^(metric \S+ ms) [-+0-9.e]+$/, '$1 D');
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, normalise((value as Record<string, unknown>)[k], k)]));
  }
  return (value ?? null) as Json;
}

/** One item per span, log record and metric data point of OTLP/JSON requests, with their resource and scope. */
function otlpItems(requests: Json[]): unknown[] {
  const items: unknown[] = [];
  for (const request of requests as Record<string, Json[]>[]) {
    for (const [kind, scopes, leaves] of [['resourceSpans', 'scopeSpans', 'spans'], ['resourceLogs', 'scopeLogs', 'logRecords'], ['resourceMetrics', 'scopeMetrics', 'metrics']] as const) {
      for (const resource of (request[kind] ?? []) as Record<string, Json>[]) {
        for (const scope of (resource[scopes] ?? []) as Record<string, Json>[]) {
          for (const leaf of (scope[leaves] ?? []) as Record<string, Json>[]) {
            const base = { kind, resource: resource.resource, scope: scope.scope };
            if (kind !== 'resourceMetrics') items.push({ ...base, item: leaf });
            else {
              const { sum, gauge, histogram, ...rest } = leaf as Record<string, Record<string, Json[]>>;
              const data = sum ?? gauge ?? histogram!;
              for (const point of data.dataPoints!) {
                // Timer histograms hold durations the guest measured.
                const timer = rest.unit === ('ms' as unknown) ? { sum: 'D', min: 'D', max: 'D' } : {};
                items.push({ ...base, metric: rest, type: sum ? 'sum' : gauge ? 'gauge' : 'histogram', point: { ...(point as object), ...timer } });
              }
            }
          }
        }
      }
    }
  }
  return items;
}

async function capture(checkout: string, module: string, stdin: string): Promise<Record<string, string[]>> {
  const requests: { path: string; body: Buffer }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const udp = createSocket('udp4');
  const datagrams: string[] = [];
  udp.on('message', (m) => datagrams.push(m.toString()));
  await new Promise<void>((ready) => udp.bind(0, '127.0.0.1', ready));
  const dir = mkdtempSync(join(tmpdir(), 'snapshot-'));
  const args = [
    join(checkout, 'bin/wasm-observe.js'), 'run', module, '--min-span-us', '0',
    '--exporter', 'otlp', '--otlp-endpoint', url, '--otlp-protocol', 'http/json',
    '--exporter', 'otlp-jsonl', '--out', join(dir, 'out.jsonl'),
    '--exporter', 'datadog', '--dd-agent-url', url, '--dd-logs', join(dir, 'dd-logs.jsonl'),
    '--exporter', 'zipkin', '--zipkin-url', `${url}/api/v2/spans`,
    '--exporter', 'statsd', '--statsd-url', `udp://127.0.0.1:${udp.address().port}`,
  ];
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OTEL_|DD_|TRACEPARENT)/.test(k)));
  const child = spawn(process.execPath, args, { env: clean, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  child.stdin.end(stdin);
  const code = await new Promise<number | null>((done) => child.on('close', done));
  await new Promise((settle) => setTimeout(settle, 300));
  server.close();
  udp.close();
  const on = (path: string) => requests.filter((r) => r.path === path).map((r) => r.body);
  const json = (bodies: Buffer[]) => bodies.map((b) => JSON.parse(b.toString()) as Json);
  const lines = (file: string) => readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);
  // A timer's value on a span's metric event is a duration too.
  const timer = /("key":"metric\.type","value":\{"stringValue":"ms"\}\},\{"key":"metric\.value","value":\{)"\w+":[-+0-9.e]+/g;
  const sorted = (items: unknown[]) => items.map((i) => JSON.stringify(normalise(i)).replace(timer, '$1"D":0')).sort();
  return {
    exit: [String(code), ...(stderr.match(/wasm-observe: .*/g) ?? [])].sort(),
    otlp: sorted(otlpItems(json([...on('/v1/traces'), ...on('/v1/logs'), ...on('/v1/metrics')]))),
    'otlp-jsonl': sorted(otlpItems(lines('out.jsonl'))),
    datadog: sorted(on('/v0.4/traces').flatMap((b) => (decode(b, { useBigInt64: true }) as unknown[][]).flat())),
    'datadog-logs': sorted(lines('dd-logs.jsonl').map((l) => ({ ...(l as object), hostname: 'HOST' }))),
    zipkin: sorted(json(on('/api/v2/spans')).flat()),
    statsd: sorted(datagrams.flatMap((d) => d.split('\n'))),
  };
}

function compare(before: Snapshot, after: Snapshot): boolean {
  let same = true;
  for (const module of Object.keys(before)) {
    for (const destination of Object.keys(before[module]!)) {
      const a = before[module]![destination]!;
      const b = after[module]?.[destination] ?? [];
      const equal = a.length === b.length && a.every((item, i) => item === b[i]);
      same &&= equal;
      console.log(`${equal ? 'same     ' : 'DIFFERENT'} ${module} ${destination}: ${a.length} items before, ${b.length} after`);
      if (!equal) {
        for (const item of a.filter((x) => !b.includes(x))) console.log(`  - ${item}`);
        for (const item of b.filter((x) => !a.includes(x))) console.log(`  + ${item}`);
      }
    }
  }
  return same;
}

const [first, ...rest] = process.argv.slice(2);
if (first === '--compare') {
  const [a, b] = rest.map((file) => JSON.parse(readFileSync(file!, 'utf8')) as Snapshot);
  process.exit(compare(a!, b!) ? 0 : 1);
} else {
  const [out, ...modules] = rest;
  const snapshot: Snapshot = {};
  for (const spec of modules) {
    const [module, stdin = ''] = spec.split(':');
    snapshot[module!.split('/').pop()!] = await capture(first!, module!, stdin);
  }
  writeFileSync(out!, JSON.stringify(snapshot, null, 1));
}
