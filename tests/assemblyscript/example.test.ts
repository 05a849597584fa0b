/**
 * The AssemblyScript example, built through the root asconfig.json and run as a WASI command
 * under the host: its trace, logs and metrics as exported over OTLP.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SEVERITY_NUMBER, LogLevel } from '../../host/abi/spec.ts';
import { only, runTraced, type Exported, type Span } from '../helpers/otlp.ts';
import { compileExample } from './asc.ts';

let run: Exported;
const children = (parent: Span) => run.spans.filter((s) => s.parentSpanId === parent.spanId);
const names = (spans: Span[]) => spans.map((s) => s.name);

beforeAll(async () => {
  const binary = await compileExample();
  run = await runTraced(binary, { args: ['GET /health', 'POST /echo caf\u00e9 au lait', 'GET /nowhere', 'garbage'], stdio: [0, 2, 2] });
});

describe('AssemblyScript example under the host', () => {
  it('nests request spans under the batch, and parse/route (from @span) under each request', () => {
    const batch = only(run.spans, 'batch');
    expect(batch.attributes['batch.size']).toBe('4');
    const requests = children(batch);
    expect(names(requests)).toEqual(['request', 'request', 'request', 'request']);
    expect(names(children(requests[0]!))).toEqual(['request.parse', 'route']);
    expect(names(children(requests[3]!))).toEqual(['request.parse']);
    const echoRoute = children(requests[1]!).find((s) => s.name === 'route')!;
    expect(names(children(echoRoute))).toEqual(['wordCount']);
  });

  it('turns tags into span attributes', () => {
    const [health, echo, missing, garbage] = children(only(run.spans, 'batch'));
    expect(health!.attributes).toMatchObject({ 'http.method': 'GET', 'http.route': '/health', 'http.status_code': '200' });
    expect(echo!.attributes).toMatchObject({ 'http.method': 'POST', 'http.route': '/echo', 'http.status_code': '200' });
    expect(missing!.attributes).toMatchObject({ 'http.status_code': '404' });
    expect(garbage!.attributes).toMatchObject({ 'http.status_code': '400', 'error.type': 'bad_request' });
    expect(garbage!.attributes).not.toHaveProperty('http.method');
    // span.fail() made it a failed span; the others succeeded.
    expect(garbage!.status).toEqual({ code: 2, message: 'bad_request' });
    expect([health, echo, missing].map((s) => s!.status.code ?? 0)).toEqual([0, 0, 0]);
  });

  it('exports logs with their bodies, severities and spans', () => {
    const log = (body: string) => {
      const found = run.logs.filter((l) => l.body === body);
      expect(found, body).toHaveLength(1);
      return found[0]!;
    };
    const [health, echo, missing, garbage] = children(only(run.spans, 'batch'));
    expect(log('GET /health -> 200')).toMatchObject({ severityNumber: SEVERITY_NUMBER[LogLevel.Info], spanId: health!.spanId });
    expect(log('POST /echo -> 200')).toMatchObject({ severityNumber: SEVERITY_NUMBER[LogLevel.Info], spanId: echo!.spanId });
    expect(log('GET /nowhere -> 404')).toMatchObject({ severityNumber: SEVERITY_NUMBER[LogLevel.Warn], spanId: missing!.spanId });
    const route404 = children(missing!).find((s) => s.name === 'route')!;
    expect(log('no route for /nowhere')).toMatchObject({ severityNumber: SEVERITY_NUMBER[LogLevel.Debug], spanId: route404.spanId });
    const wordCount = run.spans.find((s) => s.name === 'wordCount')!;
    expect(log('counted 3 words')).toMatchObject({ severityNumber: SEVERITY_NUMBER[LogLevel.Trace], spanId: wordCount.spanId });
    const parse = children(garbage!)[0]!;
    expect(log('malformed request line: garbage')).toMatchObject({ severityNumber: SEVERITY_NUMBER[LogLevel.Warn], spanId: parse.spanId });
    expect(log('rejected: cannot parse request')).toMatchObject({ severityNumber: SEVERITY_NUMBER[LogLevel.Error], spanId: garbage!.spanId });
  });

  it('exports the statsd metrics with their values and tags', () => {
    const points = (name: string) => run.metrics.filter((m) => m.name === name);
    const requests = points('requests');
    const sum = (attrs: Record<string, unknown>) => requests.filter((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v)).reduce((n, p) => n + (p.value ?? 0), 0);
    expect(sum({ method: 'GET', status: '200' })).toBe(1);
    expect(sum({ method: 'POST', status: '200' })).toBe(1);
    expect(sum({ method: 'GET', status: '404' })).toBe(1);
    expect(points('requests.rejected').map((p) => [p.value, p.attributes.reason])).toEqual([[1, 'parse']]);
    expect(points('batch.size').map((p) => p.value)).toEqual([4]);
    const bodies = points('request.body.bytes');
    expect(bodies.reduce((n, p) => n + (p.count ?? 0), 0)).toBe(3);
    expect(bodies.reduce((n, p) => n + (p.sum ?? 0), 0)).toBe(Buffer.byteLength('café au lait'));
    expect(points('request.duration').reduce((n, p) => n + (p.count ?? 0), 0)).toBe(3);
  });
});
