/**
 * The `perfetto` exporter's file against the Chrome Trace Event format (JSON object format):
 * every event well formed, timestamps in microseconds (checked against the same run's OTLP
 * output), complete events nesting on every thread, metadata naming the process and every
 * thread, logs as instant events, gauges as counter events.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Observer } from '../../host/index.ts';
import { now } from '../../host/events.ts';
import type { GuestEvent } from '../../host/events.ts';
import { OtlpJsonlExporter, PerfettoExporter, type TraceEvent } from '../../host/node/index.ts';
import { parseOtlpJsonl, scratch } from '../helpers/otlp.ts';
import type { Step } from '../trace/harness.ts';

const tmp = scratch();
afterAll(tmp.remove);

/** Runs `steps` as one trace into a perfetto file and an OTLP file, a little real time apart. */
async function record(name: string, traces: Step[][]) {
  const file = join(tmp.dir, `${name}.json`);
  const jsonl = join(tmp.dir, `${name}.jsonl`);
  const observer = new Observer({ exporters: [new PerfettoExporter({ path: file }), new OtlpJsonlExporter({ path: jsonl })], minSpanDurationMicros: 0 });
  for (const [i, steps] of traces.entries()) {
    observer.startTrace(`trace ${i}`);
    for (const step of steps) {
      const until = now() + 0.05;
      while (now() < until);
      observer.handle({ ...step, time: now() } as GuestEvent);
    }
    observer.finishTrace();
  }
  await observer.shutdown();
  return { events: validate(JSON.parse(readFileSync(file, 'utf8'))), otlp: parseOtlpJsonl(readFileSync(jsonl, 'utf8')) };
}

/** The format's rules, asserted event by event; returns the events. */
function validate(file: { traceEvents: TraceEvent[]; displayTimeUnit?: string }): TraceEvent[] {
  expect(Array.isArray(file.traceEvents)).toBe(true);
  const events = file.traceEvents;
  for (const event of events) {
    expect(typeof event.name).toBe('string');
    expect(['X', 'i', 'C', 'M']).toContain(event.ph);
    expect(Number.isInteger(event.pid)).toBe(true);
    if (event.ph !== 'M') expect(typeof event.ts).toBe('number');
    if (event.ph === 'X' || event.ph === 'i') expect(Number.isInteger(event.tid)).toBe(true);
    if (event.ph === 'X') expect(event.dur).toBeGreaterThanOrEqual(0);
    if (event.ph === 'i') expect(event.s).toBe('t');
    if (event.ph === 'C') expect(Object.values(event.args ?? {}).every((v) => typeof v === 'number')).toBe(true);
  }
  // Metadata: the process is named, and so is every thread an event is on.
  expect(events.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.pid)).toEqual([1]);
  const named = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.tid));
  for (const e of events.filter((e) => e.ph === 'X' || e.ph === 'i')) expect(named.has(e.tid)).toBe(true);
  // Complete events on one thread nest: each starts after and ends before the one it is inside.
  const byThread = new Map<number | undefined, TraceEvent[]>();
  for (const e of events.filter((e) => e.ph === 'X')) byThread.set(e.tid, [...(byThread.get(e.tid) ?? []), e]);
  for (const bars of byThread.values()) {
    const open: TraceEvent[] = [];
    for (const bar of bars.sort((a, b) => a.ts! - b.ts! || b.dur! - a.dur!)) {
      while (open.length > 0 && open.at(-1)!.ts! + open.at(-1)!.dur! <= bar.ts!) open.pop();
      if (open.length > 0) expect(bar.ts! + bar.dur!).toBeLessThanOrEqual(open.at(-1)!.ts! + open.at(-1)!.dur!);
      open.push(bar);
    }
  }
  return events;
}

describe('perfetto exporter', () => {
  it('writes a span as a complete event in µs, with attributes; logs as instants; gauges as counters', async () => {
    const { events, otlp } = await record('spans', [
      [
        { type: 'span-enter', name: 'handle' },
        { type: 'span-tags', tags: 'route:/a' },
        { type: 'log', level: 3, message: 'hello' },
        { type: 'span-enter', name: 'inner' },
        { type: 'metric', format: 1, text: 'queue:5|g' },
        { type: 'metric', format: 1, text: 'queue:+2|g' },
        { type: 'metric', format: 1, text: 'hits:1|c' },
        { type: 'span-exit' },
        { type: 'span-exit' },
      ],
    ]);
    const bars = events.filter((e) => e.ph === 'X' && e.cat !== 'invocation');
    expect(bars.map((b) => b.name).sort()).toEqual(['handle', 'inner']);
    // Durations and offsets in microseconds, as OTLP's nanoseconds / 1000.
    const bySpan = new Map(bars.map((b) => [b.args!.span_id, b]));
    for (const span of otlp.spans) {
      const bar = bySpan.get(span.spanId)!;
      expect(bar.dur).toBeCloseTo(Number(span.end - span.start) / 1000, 2);
      expect(bar.args).toMatchObject({ ...span.attributes, trace_id: span.traceId });
    }
    const [a, b] = otlp.spans;
    expect(bySpan.get(a!.spanId)!.ts! - bySpan.get(b!.spanId)!.ts!).toBeCloseTo(Number(a!.start - b!.start) / 1000, 2);
    expect(bySpan.get(otlp.spans.find((s) => s.name === 'handle')!.spanId)!.args).toMatchObject({ route: '/a' });
    // The invocation is the outermost bar and holds both spans.
    const invocation = events.find((e) => e.cat === 'invocation')!;
    expect(invocation.name).toBe('trace 0');
    for (const bar of bars) expect(bar.ts! >= invocation.ts! && bar.ts! + bar.dur! <= invocation.ts! + invocation.dur!).toBe(true);
    expect(events.filter((e) => e.cat === 'log')).toEqual([expect.objectContaining({ ph: 'i', name: 'INFO hello', tid: bySpan.get(otlp.logs[0]!.spanId)!.tid })]);
    expect(events.filter((e) => e.ph === 'C')).toEqual([
      expect.objectContaining({ name: 'queue', args: { value: 5 } }),
      expect.objectContaining({ name: 'queue', args: { value: 7 } }),
    ]);
    expect(events.filter((e) => e.cat === 'metric' && e.ph === 'i').map((e) => e.name)).toEqual(['hits c 1']);
  });

  it('puts spans that do not nest on a further thread of their trace, and each trace on its own', async () => {
    // A manual span opened inside a function and closed after it returned.
    const { events, otlp } = await record('overlap', [
      [
        { type: 'function-enter', index: 0 },
        { type: 'span-enter', name: 'manual' },
        { type: 'function-exit', index: 0 },
        { type: 'span-exit' },
      ],
      [{ type: 'span-enter', name: 'second' }, { type: 'span-exit' }],
    ]);
    const bars = events.filter((e) => e.ph === 'X' && e.cat !== 'invocation');
    expect(bars).toHaveLength(otlp.spans.length);
    const func = otlp.spans.find((s) => s.name !== 'manual' && s.name !== 'second')!;
    const manual = otlp.spans.find((s) => s.name === 'manual')!;
    const overlaps = manual.start > func.start && manual.start < func.end && manual.end > func.end;
    const tid = (span: { spanId: string }) => bars.find((b) => b.args!.span_id === span.spanId)!.tid;
    expect(overlaps).toBe(true);
    expect(tid(manual)).not.toBe(tid(func));
    const second = otlp.spans.find((s) => s.name === 'second')!;
    expect([tid(func), tid(manual)]).not.toContain(tid(second));
    const threadNames = events.filter((e) => e.name === 'thread_name').map((e) => String(e.args!.name));
    expect(threadNames.some((n) => n.startsWith('trace 1 '))).toBe(true);
  });

  it('--exporter perfetto --out writes the file from the CLI', () => {
    const out = join(tmp.dir, 'cli.json');
    const run = spawnSync(process.execPath, ['bin/wasm-observe.js', 'run', 'examples/wat/demo.wat', '--min-span-us', '0', '--exporter', 'perfetto', '--out', out], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const events = validate(JSON.parse(readFileSync(out, 'utf8')));
    expect(events.filter((e) => e.ph === 'X').map((e) => e.name).sort()).toEqual(['handle-request', 'parse', 'render', 'respond', 'run demo.wat']);
    expect(events.filter((e) => e.cat === 'log')).toHaveLength(3);
  });
});
