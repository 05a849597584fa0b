import { describe, expect, it } from 'vitest';
import { Guest, API_IMPORTS } from '../helpers/wat.ts';
import { only, traceModule } from '../helpers/otlp.ts';

const run = (i: WebAssembly.Instance) => (i.exports.run as () => void)();

describe('current API (dylibso:observe/api)', () => {
  it('nests spans, turns tags into attributes, and attaches logs and metrics to their span', async () => {
    const g = new Guest();
    const wat = g.module(
      API_IMPORTS,
      `(call $enter ${g.str('request')})
       (call $tags ${g.str('method:GET,path:/a')})
       (call $log (i32.const 3) ${g.str('got request')})
       (call $enter ${g.str('db')})
       (call $log (i32.const 1) ${g.str('db failed')})
       (call $metric (i32.const 1) ${g.str('db.calls:1|c|#table:users')})
       (call $exit)
       (call $exit)`,
    );
    const out = await traceModule(wat, run);
    const request = only(out.spans, 'request');
    const db = only(out.spans, 'db');
    expect(request.parentSpanId).toBeUndefined();
    expect(db.parentSpanId).toBe(request.spanId);
    expect(db.traceId).toBe(request.traceId);
    expect(request.attributes).toMatchObject({ method: 'GET', path: '/a' });
    expect(db.end).toBeGreaterThanOrEqual(db.start);

    const info = out.logs.find((l) => l.body === 'got request')!;
    expect(info).toMatchObject({ severityNumber: 9, severityText: 'INFO', spanId: request.spanId, traceId: request.traceId });
    expect(out.logs.find((l) => l.body === 'db failed')).toMatchObject({ severityNumber: 17, spanId: db.spanId });

    expect(out.metrics).toEqual([expect.objectContaining({ name: 'db.calls', kind: 'sum', value: 1, attributes: { table: 'users' } })]);
    expect(db.events).toContainEqual({ name: 'metric', attributes: { 'metric.name': 'db.calls', 'metric.type': 'c', 'metric.value': 1 } });
    expect(out.resources[0]).toMatchObject({ 'service.name': 'wasm-observe-guest' });
  });

  it('maps every log level to its OpenTelemetry severity', async () => {
    const g = new Guest();
    const levels = [1, 2, 3, 4, 5];
    const wat = g.module(API_IMPORTS, levels.map((l) => `(call $log (i32.const ${l}) ${g.str(`level ${l}`)})`).join('\n'));
    const out = await traceModule(wat, run);
    const severity = Object.fromEntries(out.logs.map((l) => [l.body, [l.severityNumber, l.severityText]]));
    expect(severity).toEqual({
      'level 1': [17, 'ERROR'],
      'level 2': [13, 'WARN'],
      'level 3': [9, 'INFO'],
      'level 4': [5, 'DEBUG'],
      'level 5': [1, 'TRACE'],
    });
  });

  it('follows the tag rule: first colon splits, no colon is a flag, repeats become arrays', async () => {
    const g = new Guest();
    const wat = g.module(
      API_IMPORTS,
      `(call $enter ${g.str('s')})
       (call $tags ${g.str('url:http://x:80/p, canary ,,:orphan,env:a')})
       (call $tags ${g.str('env:b')})
       (call $exit)`,
    );
    const out = await traceModule(wat, run);
    expect(only(out.spans, 's').attributes).toEqual({ url: 'http://x:80/p', canary: '', tag: 'orphan', env: ['a', 'b'] });
  });

  it('parses statsd and DogStatsD lines of every type, several per call', async () => {
    const g = new Guest();
    const lines = [
      'hits:2|c|@0.5',
      'temp:20|g',
      'temp:+5|g',
      'temp:-3|g',
      'latency:12.5|ms|#route:/a',
      'size:100|h',
      'payload:7|d',
      'users:alice|s',
      'users:bob|s',
      'users:alice|s',
    ].join('\n');
    const wat = g.module(API_IMPORTS, `(call $enter ${g.str('m')}) (call $metric (i32.const 1) ${g.str(lines)}) (call $exit)`);
    const out = await traceModule(wat, run);
    const by = (name: string) => out.metrics.filter((m) => m.name === name);
    expect(by('hits')).toEqual([expect.objectContaining({ kind: 'sum', value: 4 })]);
    expect(by('temp')).toEqual([expect.objectContaining({ kind: 'gauge', value: 22 })]);
    expect(by('latency')).toEqual([expect.objectContaining({ kind: 'histogram', count: 1, sum: 12.5, attributes: { route: '/a' } })]);
    expect(by('size')).toEqual([expect.objectContaining({ kind: 'histogram', count: 1, sum: 100 })]);
    expect(by('payload')).toEqual([expect.objectContaining({ kind: 'histogram', count: 1, sum: 7 })]);
    expect(by('users')).toEqual([expect.objectContaining({ kind: 'gauge', value: 2 })]);
    expect(only(out.spans, 'm').events.filter((e) => e.name === 'metric')).toHaveLength(10);
  });

  it('keeps a metric line that is not statsd as a flagged log record and counts it', async () => {
    const g = new Guest();
    const wat = g.module(
      API_IMPORTS,
      `(call $enter ${g.str('m')}) (call $metric (i32.const 1) ${g.str('ok:aaaaa\ngood:1|c')}) (call $exit)`,
    );
    const out = await traceModule(wat, run);
    const span = only(out.spans, 'm');
    expect(out.logs).toContainEqual(
      expect.objectContaining({ body: 'ok:aaaaa', spanId: span.spanId, attributes: { 'wasm_observe.metric.unparsed': true, 'wasm_observe.metric.format': 1 } }),
    );
    expect(out.logs).toContainEqual(expect.objectContaining({ attributes: { 'wasm_observe.anomaly': 'metric-unparsed' } }));
    expect(out.metrics.map((m) => m.name)).toEqual(['good']);
    expect(out.observer.anomalies()).toEqual({ 'metric-unparsed': 1 });
  });

  it('decodes non-ASCII UTF-8 intact', async () => {
    const g = new Guest();
    const text = 'café — 東京 🚀';
    const wat = g.module(API_IMPORTS, `(call $enter ${g.str(text)}) (call $log (i32.const 3) ${g.str(text)}) (call $exit)`);
    const out = await traceModule(wat, run);
    expect(out.spans[0]!.name).toBe(text);
    expect(out.logs[0]!.body).toBe(text);
  });

  it('starts one trace per invocation on the same instance', async () => {
    const g = new Guest();
    const wat = g.module(API_IMPORTS, `(call $enter ${g.str('call')}) (call $exit)`);
    const out = await traceModule(wat, async (instance, observer) => {
      await observer.trace('second', () => run(instance));
      run(instance);
    });
    const ids = new Set(out.spans.map((s) => s.traceId));
    expect(out.spans).toHaveLength(2);
    expect(ids.size).toBe(2);
  });

  it('links a module that imports only some of the functions, or none', async () => {
    const only = new Guest();
    const logOnly = only.module(`(import "dylibso:observe/api" "log" (func $log (param i32 i32 i32)))`, `(call $log (i32.const 3) ${only.str('hi')})`);
    expect((await traceModule(logOnly, run)).logs.map((l) => l.body)).toEqual(['hi']);
    const none = await traceModule('(module (func (export "run")))', run);
    expect(none.spans).toEqual([]);
    expect(none.result).toBeUndefined();
  });

  it('survives memory.grow: strings written after growth are read from the new buffer', async () => {
    const g = new Guest();
    const wat = g.module(
      API_IMPORTS,
      `(call $log (i32.const 3) ${g.str('before')})
       (drop (memory.grow (i32.const 2)))
       ;; write "after" at 100000, beyond the first page
       (i32.store (i32.const 100000) (i32.const 0x65746661))
       (i32.store8 (i32.const 100004) (i32.const 0x72))
       (call $log (i32.const 3) (i32.const 100000) (i32.const 5))`,
    );
    const out = await traceModule(wat, run);
    expect(out.logs.map((l) => l.body)).toEqual(['before', 'after']);
  });
});

describe('binding to guest memory', () => {
  it('reads calls a start function makes before an exported memory exists', async () => {
    const g = new Guest();
    const wat = g.module(API_IMPORTS, '', `(func $init (call $enter ${g.str('init')}) (call $log (i32.const 3) ${g.str('starting')}) (call $exit)) (start $init)`);
    const out = await traceModule(wat, run);
    expect(out.spans.map((s) => s.name)).toEqual(['init']);
    expect(out.logs).toEqual([expect.objectContaining({ body: 'starting', spanId: out.spans[0]!.spanId })]);
    expect(out.observer.anomalies()).toEqual({});
  });

  it('reads an imported memory', async () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    new Uint8Array(memory.buffer).set(new TextEncoder().encode('from imported memory'), 64);
    const wat = `(module ${API_IMPORTS} (import "env" "memory" (memory 1))
      (func $init (call $log (i32.const 3) (i32.const 64) (i32.const 20))) (start $init)
      (func (export "run") (call $log (i32.const 2) (i32.const 64) (i32.const 4))))`;
    const out = await traceModule(wat, run, { imports: { env: { memory } } });
    expect(out.logs.map((l) => l.body)).toEqual(['from imported memory', 'from']);
  });
});
