import { describe, expect, it } from 'vitest';
import { Guest, API_IMPORTS, INSTRUMENT_IMPORTS, LEGACY_IMPORTS } from '../helpers/wat.ts';
import { only, traceModule } from '../helpers/otlp.ts';

const run = (i: WebAssembly.Instance) => (i.exports.run as () => void)();
type Logs = { body: unknown; attributes: Record<string, unknown> }[];
/** Kinds of the per-anomaly records. */
const anomalyLogs = (logs: Logs) => logs.map((l) => l.attributes['wasm_observe.anomaly']).filter(Boolean);
/** The trace's closing record with every count, as exported. */
const exportedCounts = (logs: Logs) => {
  const summary = logs.find((l) => String(l.body).startsWith('wasm-observe: anomalies in this trace'));
  return Object.fromEntries(Object.entries(summary?.attributes ?? {}).map(([k, v]) => [k.replace('wasm_observe.anomalies.', ''), v]));
};
/** What the guest itself logged. */
const guestLogs = (logs: Logs) => logs.filter((l) => !Object.keys(l.attributes).some((k) => k.startsWith('wasm_observe.anomal')));

describe('bad input from a guest', () => {
  it('counts every anomaly, never throws into the guest, and still delivers every good event', async () => {
    const g = new Guest();
    const wat = g.module(
      API_IMPORTS,
      `(call $log (i32.const 3) ${g.str('first')})
       (call $enter (i32.const 65530) (i32.const 100))          ;; runs past the end of memory
       (call $log (i32.const 3) (i32.const -8) (i32.const 4))    ;; wild pointer
       (call $log (i32.const 3) (i32.const 0) (i32.const -1))    ;; 4 GiB length
       (call $tags ${g.str(new Uint8Array([0x6b, 0x3a, 0xff, 0xfe]))}) ;; invalid UTF-8
       (call $log (i32.const 9) ${g.str('odd level')})
       (call $metric (i32.const 7) ${g.str('raw metric')})
       (call $exit)                                               ;; closes the unreadable span
       (call $exit)                                               ;; nothing open
       (call $log (i32.const 1) ${g.str('last')})`,
    );
    const out = await traceModule(wat, run);
    expect(out.result).toBeUndefined();
    expect(out.observer.anomalies()).toEqual({
      'out-of-bounds': 3,
      'invalid-utf8': 1,
      'unknown-log-level': 1,
      'unknown-metric-format': 1,
      'span-exit-without-span': 1,
    });
    const unreadable = only(out.spans, '<unreadable>');
    expect(unreadable.attributes).toEqual({ k: '\uFFFD\uFFFD' });
    expect(exportedCounts(out.logs)).toEqual(out.observer.anomalies());
    const bodies = guestLogs(out.logs).map((l) => l.body);
    expect(bodies).toEqual(['first', 'odd level', 'raw metric', 'last']);
    expect(out.logs.find((l) => l.body === 'odd level')).toMatchObject({ severityNumber: 0, severityText: 'LEVEL 9' });
    expect(out.logs.find((l) => l.body === 'raw metric')).toMatchObject({
      attributes: { 'wasm_observe.metric.unparsed': true, 'wasm_observe.metric.format': 7 },
    });
    expect(anomalyLogs(out.logs)).toHaveLength(7);
  });

  it('truncates a string over the cap at a character boundary and counts it', async () => {
    const g = new Guest();
    const wat = g.module(API_IMPORTS, `(call $log (i32.const 3) ${g.str('ééééé')})`);
    const out = await traceModule(wat, run, { maxStringBytes: 5 });
    expect(guestLogs(out.logs).map((l) => l.body)).toEqual(['éé']);
    expect(out.observer.anomalies()).toEqual({ 'length-over-cap': 1 });
  });

  it('refuses a legacy i64 pointer above 4 GiB', async () => {
    const g = new Guest('i64');
    const wat = g.module(LEGACY_IMPORTS, `(call $log (i32.const 3) (i64.const 0x100000000) (i32.const 4)) (call $log (i32.const 3) ${g.str('ok')})`);
    const out = await traceModule(wat, run);
    expect(out.observer.anomalies()).toEqual({ 'pointer-over-4gib': 1 });
    expect(guestLogs(out.logs).map((l) => l.body)).toEqual(['ok']);
  });

  it('closes spans a trace leaves open and marks them unclosed', async () => {
    const g = new Guest();
    const wat = g.module(API_IMPORTS, `(call $enter ${g.str('forgotten')})`);
    const out = await traceModule(wat, run);
    expect(only(out.spans, 'forgotten').attributes).toEqual({ 'wasm_observe.unclosed': true });
    expect(out.observer.anomalies()).toEqual({ 'span-left-open': 1 });
  });

  it('logs only the first anomalies of a kind per trace, and counts them all', async () => {
    const g = new Guest();
    const wat = g.module(API_IMPORTS, Array.from({ length: 50 }, () => '(call $exit)').join(' '));
    const out = await traceModule(wat, run);
    expect(out.observer.anomalies()).toEqual({ 'span-exit-without-span': 50 });
    expect(anomalyLogs(out.logs)).toHaveLength(10);
    expect(exportedCounts(out.logs)).toEqual({ 'span-exit-without-span': 50 });
  });
});

describe('a guest that traps', () => {
  it('closes every open span as an error with an exception event, delivers telemetry, and rethrows', async () => {
    const g = new Guest();
    const wat = g.module(
      API_IMPORTS,
      `(call $enter ${g.str('outer')})
       (call $log (i32.const 3) ${g.str('about to fail')})
       (call $enter ${g.str('inner')})
       unreachable`,
    );
    const out = await traceModule(wat, run);
    expect(out.result).toBeInstanceOf(WebAssembly.RuntimeError);
    for (const name of ['outer', 'inner']) {
      const span = only(out.spans, name);
      expect(span.status).toMatchObject({ code: 2, message: 'unreachable' });
      expect(span.events).toContainEqual(
        expect.objectContaining({ name: 'exception', attributes: expect.objectContaining({ 'exception.message': 'unreachable', 'exception.type': 'RuntimeError' }) }),
      );
    }
    expect(out.logs.map((l) => l.body)).toContain('about to fail');
    expect(out.observer.anomalies()).toEqual({ 'guest-trap': 1 });
  });
});

describe('a span open for a whole run', () => {
  it('stays bounded: 128 events and 128 values per key, the rest counted as dropped', async () => {
    const g = new Guest();
    const wat = g.module(
      API_IMPORTS,
      `(local $i i32)
       (call $enter ${g.str('main')})
       (loop $l
         (call $metric (i32.const 1) ${g.str('ticks:1|c')})
         (call $tags ${g.str('seen:x')})
         (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 1000))))
       (call $exit)`,
    );
    const out = await traceModule(wat, run);
    const main = only(out.spans, 'main');
    expect(main.events).toHaveLength(128);
    expect(main.attributes.seen).toHaveLength(128);
    const raw = out.lines.flatMap((l) => l.resourceSpans ?? []).flatMap((r: any) => r.scopeSpans[0].spans)[0];
    expect(raw).toMatchObject({ droppedEventsCount: 872, droppedAttributesCount: 872 });
    // Every metric still arrives as a metric point.
    expect(out.metrics).toEqual([expect.objectContaining({ name: 'ticks', value: 1000 })]);
  });
});

describe('unbalanced manual and function spans', () => {
  it('closes each kind only by its own exit, counts every mismatch, and keeps the spans', async () => {
    const g = new Guest();
    const wat = g.module(
      `${INSTRUMENT_IMPORTS} ${API_IMPORTS}`,
      `(call $tags ${g.str('early:1')})                ;; no span open yet
       (call $fexit (i32.const 42))                     ;; exit of a function never entered
       (call $fenter (i32.const 100))
       (call $enter ${g.str('manual')})
       (call $fenter (i32.const 101))
       (call $exit)                                     ;; closes 'manual'; function 101 stays open
       (call $fexit (i32.const 101))
       (call $enter ${g.str('left open')})
       (call $fexit (i32.const 100))                    ;; function 100 returns; its manual span stays open
       (call $grow (i32.const -1))`,
    );
    const out = await traceModule(wat, run, { minSpanDurationMicros: 0 });
    expect(out.observer.anomalies()).toEqual({
      'tags-without-span': 1,
      'function-exit-mismatch': 1,
      'span-left-open': 1,
      'memory-grow-negative': 1,
    });
    expect(out.spans.map((s) => s.name).sort()).toEqual(['func[100]', 'func[101]', 'left open', 'manual']);
    expect(only(out.spans, 'left open').attributes).toMatchObject({ 'wasm_observe.unclosed': true });
    // Each span closed by its own exit; a span outliving its parent moves to the parent's parent.
    expect(only(out.spans, 'manual').parentSpanId).toBe(only(out.spans, 'func[100]').spanId);
    expect(only(out.spans, 'func[101]').parentSpanId).toBe(only(out.spans, 'func[100]').spanId);
    expect(only(out.spans, 'left open').parentSpanId).toBeUndefined();
    expect(only(out.spans, 'func[100]').attributes).not.toHaveProperty('wasm_observe.unclosed');
  });
});

describe('a guest that declares the imports with other signatures', () => {
  it('cannot pass in timestamps or crash the host, and its well-formed calls still arrive', async () => {
    const wat = `(module
      (import "dylibso:observe/api" "span-enter" (func $enter (param i32 i32 f64)))
      (import "dylibso:observe/api" "span-exit" (func $exit (param f64)))
      (import "dylibso:observe/api" "log" (func $log (param i64 i64 i64)))
      (import "dylibso:observe/api" "metric" (func $metric (param f64 f64 f64)))
      (import "dylibso:observe/instrument" "memory-grow" (func $grow (param i64)))
      (memory (export "memory") 1)
      (data (i32.const 1024) "span")
      (data (i32.const 1032) "text")
      (data (i32.const 1040) "n:1|c")
      (func (export "run")
        (call $enter (i32.const 1024) (i32.const 4) (f64.const 1))   ;; a "timestamp" of 1 ms
        (call $log (i64.const 3) (i64.const 1032) (i64.const 4))
        (call $metric (f64.const 1) (f64.const 1040) (f64.const 5))
        (call $grow (i64.const 2))
        (call $exit (f64.const 2))))`;
    const before = Date.now();
    const out = await traceModule(wat, run);
    expect(out.result).toBeUndefined();
    expect(out.observer.anomalies()).toEqual({});
    const span = only(out.spans, 'span');
    expect(Number(span.start / 1_000_000n)).toBeGreaterThanOrEqual(before - 1000);
    expect(span.attributes).toMatchObject({ allocation: 2, 'allocation.bytes': 2 * 65536 });
    expect(out.logs.map((l) => [l.body, l.severityText])).toEqual([['text', 'INFO']]);
    expect(out.metrics).toEqual([expect.objectContaining({ name: 'n', value: 1 })]);
  });
});
