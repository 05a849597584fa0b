/**
 * The judgement of a scenario report (tests/runtimes/scenario.ts), the same for every runtime.
 * Browsers coarsen clocks, so these check structure and never durations.
 */
import { expect } from 'vitest';
import { REPORT_PREFIX, type ScenarioReport, type SpanFact } from './scenario.ts';

type Decoded = {
  spans: { traceId: string; spanId: string; parentSpanId: string; name: string; service: unknown }[];
  logs: { traceId: string; spanId: string; body: unknown }[];
  metrics: { name: string }[];
};

const byName = (spans: SpanFact[], name: string): SpanFact => {
  const span = spans.find((s) => s.name === name);
  expect(span, `a span named ${name} among ${spans.map((s) => s.name).join(', ')}`).toBeDefined();
  return span!;
};

export function expectReport(report: ScenarioReport): void {
  // 1. One trace: the host's request span, the guest's spans beneath it.
  const { request } = report;
  expect(request.returnValue).toBe(10);
  const host = byName(request.spans, 'GET /items/1');
  expect(host.spanId).toBe(request.hostSpan.spanId);
  expect(new Set(request.spans.map((s) => s.traceId))).toEqual(new Set([request.hostSpan.traceId]));
  const handle = byName(request.spans, 'handle');
  const lookup = byName(request.spans, 'lookup');
  expect(lookup.parentSpanId).toBe(handle.spanId);
  expect(handle.parentSpanId).toBe(request.hostSpan.spanId);
  expect(handle.attributes.cache).toBe('miss');
  expect(request.tree).toContain(`trace ${request.hostSpan.traceId}`);
  expect(request.tree).toMatch(/handle[^\n]*\n[^\n]*lookup/);
  expect(request.tree).toContain('loaded from store');
  expect(request.otlpStats.dropped).toBe(0);
  expect(request.otlpStats.exported).toBeGreaterThan(0);

  // 2. A trap closes the open span as an error and reaches the caller.
  const { trap } = report;
  expect(trap.errorName).toBe('RuntimeError');
  expect(trap.error).toMatch(/unreachable/i);
  const doomed = byName(trap.spans, 'doomed');
  expect(doomed.status).toBe(2);
  expect(trap.tree).toMatch(/doomed[^\n]*ERROR/);
  expect(trap.tree).toContain('about to trap');

  // 3. The AssemblyScript example as a WASI command: its output, its spans, its exit code.
  const { command } = report;
  expect(command.error).toBeUndefined();
  expect(command.exitCode).toBe(0);
  const requests = command.spans.filter((s) => s.name === 'request');
  expect(requests).toHaveLength(2);
  expect(requests.map((s) => s.attributes['http.route']).sort()).toEqual(['/echo', '/health']);
  const batch = byName(command.spans, 'batch');
  for (const r of requests) expect(r.parentSpanId).toBe(batch.spanId);
  expect(command.tree).toContain('GET /health -> 200');
}

/** What the loopback collector decoded matches the request's trace. */
export function expectCollector(decoded: Decoded, report: ScenarioReport): void {
  const traceId = report.request.hostSpan.traceId;
  const names = decoded.spans.filter((s) => s.traceId === traceId).map((s) => s.name);
  expect(names).toEqual(expect.arrayContaining(['handle', 'lookup']));
  expect(decoded.spans.every((s) => s.service === 'runtime-test')).toBe(true);
  const log = decoded.logs.find((l) => l.body === 'loaded from store');
  expect(log?.traceId).toBe(traceId);
  expect(decoded.metrics.map((m) => m.name)).toContain('lookups');
}

export function reportFrom(stdout: string): ScenarioReport {
  const line = stdout.split('\n').find((l) => l.startsWith(REPORT_PREFIX));
  if (line === undefined) throw new Error(`no report in the output:\n${stdout}`);
  return JSON.parse(line.slice(REPORT_PREFIX.length)) as ScenarioReport;
}
