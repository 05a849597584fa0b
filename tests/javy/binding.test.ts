// The binding's real source, run in QuickJS with a Javy.IO like Javy's: what it writes to fd 2.
import { describe, expect, it } from 'vitest';
import { HEADER_SIZE, MAGIC, OPS, TEXT_HEADER_SIZE, VERSION } from '../../bindings/javy/format.js';
import { decodeRecords, isRecordRun, type JavyRecord } from '../../host/javy/records.ts';
import { API_MODULE, importSpec, LogLevel, MetricFormat } from '../../host/abi/spec.ts';
import { BINDING, runInQuickJS } from './quickjs.ts';
import type { FdWrite } from './standin.ts';

const header = `import * as o from '${BINDING}';\n`;

/** Every fd-2 write decoded: records as records, anything else as text. */
type Decoded = JavyRecord | { text: string; fd: number };
function decode(writes: FdWrite[]): Decoded[] {
  return writes.flatMap((w) =>
    w.iovecs.flatMap((bytes): Decoded[] =>
      w.fd === 2 && isRecordRun(bytes) ? decodeRecords(bytes) : [{ fd: w.fd, text: new TextDecoder().decode(bytes) }],
    ),
  );
}

describe('Javy binding in QuickJS', () => {
  it('writes one record per call, one writeSync each, on fd 2', async () => {
    const { writes } = await runInQuickJS(`${header}
      o.spanEnter('handle request');
      o.spanTags('a:1,b:2');
      o.spanTags(['c:3', 'd:4']);
      o.spanTags({ route: '/users', 'bad,key': 'x,y', n: 5 });
      o.spanTag('user', 42);
      o.log(o.LogLevel.Warn, 'careful');
      o.metric(o.MetricFormat.Statsd, 'raw:1|c');
      o.counter('requests', 3);
      o.increment('hits', 1, { region: 'eu' });
      o.gauge('queue', 7.5);
      o.gaugeDelta('queue', 2);
      o.gaugeDelta('queue', -2);
      o.timing('db', 12.25, 1, ['db:pg']);
      o.histogram('size', 512, 1, 'evil:a|b\\nc');
      o.distribution('latency', 3);
      o.set('users', 'ann|bob');
      o.spanExit();
    `);
    expect(writes.every((w) => w.fd === 2 && w.iovecs.length === 1)).toBe(true);
    expect(decode(writes)).toEqual([
      { type: 'span-enter', name: 'handle request' },
      { type: 'span-tags', tags: 'a:1,b:2' },
      { type: 'span-tags', tags: 'c:3,d:4' },
      { type: 'span-tags', tags: 'route:/users,bad_key:x_y,n:5' },
      { type: 'span-tags', tags: 'user:42' },
      { type: 'log', level: LogLevel.Warn, message: 'careful' },
      { type: 'metric', format: MetricFormat.Statsd, text: 'raw:1|c' },
      { type: 'metric', format: 1, text: 'requests:3|c' },
      { type: 'metric', format: 1, text: 'hits:1|c|#region:eu' },
      { type: 'metric', format: 1, text: 'queue:7.5|g' },
      { type: 'metric', format: 1, text: 'queue:+2|g' },
      { type: 'metric', format: 1, text: 'queue:-2|g' },
      { type: 'metric', format: 1, text: 'db:12.25|ms|#db:pg' },
      { type: 'metric', format: 1, text: 'size:512|h|#evil:a_b_c' },
      { type: 'metric', format: 1, text: 'latency:3|d' },
      { type: 'metric', format: 1, text: 'users:ann_bob|s' },
      { type: 'span-exit' },
    ]);
  });

  it('lays a record out as FORMAT.md says', async () => {
    const { writes } = await runInQuickJS(`${header} o.log(o.LogLevel.Error, 'é!');`);
    expect([...writes[0]!.iovecs[0]!]).toEqual([...MAGIC, VERSION, OPS.log, 1, 3, 0, 0, 0, 0xc3, 0xa9, 0x21]);
    expect(HEADER_SIZE).toBe(11);
  });

  it('lays a text record out as FORMAT.md says, lone surrogates counted as the U+FFFD written', async () => {
    const { result } = await runInQuickJS(
      `${header} globalThis.result = [o.encodeTextRecord(4, 1, 'é!'), o.encodeTextRecord(2, 0, ''), o.encodeTextRecord(5, 255, 'a\\ud800\\n🌍')];`,
      { javy: false },
    );
    expect(result).toEqual(['\0OBSt140100000003é!', '\0OBSt120000000000', '\0OBSt15ff00000009a\ufffd\n🌍']);
    const bytes = new TextEncoder().encode((result as string[])[2]);
    expect(bytes.length - TEXT_HEADER_SIZE).toBe(9);
  });

  it('samples client-side and marks the rate', async () => {
    // Math.random is replaced so the 50% sample keeps exactly the calls drawing < 0.5.
    const { writes } = await runInQuickJS(`${header}
      const draws = [0.1, 0.9, 0.49, 0.5];
      Math.random = () => draws.shift();
      for (let i = 0; i < 4; i++) o.increment('sampled', 0.5, 'k:v');
      o.counter('never', 1, 0);
    `);
    expect(decode(writes)).toEqual([
      { type: 'metric', format: 1, text: 'sampled:1|c|@0.5|#k:v' },
      { type: 'metric', format: 1, text: 'sampled:1|c|@0.5|#k:v' },
    ]);
  });

  it('encodes non-ASCII text as UTF-8 without TextEncoder, byte-identical to it', async () => {
    const script = `${header}
      o.spanEnter('naïve café — 日本語 🌍👩‍💻');
      o.log(o.LogLevel.Info, 'lone \\ud800 surrogate, and \\udc00 too');
      o.spanExit();
      globalThis.result = typeof TextEncoder;`;
    const bare = await runInQuickJS(script);
    const withEncoder = await runInQuickJS(script, { textEncoder: true });
    expect(bare.result).toBe('undefined');
    expect(withEncoder.result).toBe('function');
    expect(bare.writes).toEqual(withEncoder.writes);
    expect(decode(bare.writes)).toEqual([
      { type: 'span-enter', name: 'naïve café — 日本語 🌍👩‍💻' },
      { type: 'log', level: 3, message: 'lone \ufffd surrogate, and \ufffd too' },
      { type: 'span-exit' },
    ]);
    const payload = bare.writes[0]!.iovecs[0]!.subarray(HEADER_SIZE);
    expect(payload).toEqual(new TextEncoder().encode('naïve café — 日本語 🌍👩‍💻'));
  });

  it('closes withSpan on return, throw and promise settlement; rethrows the same error', async () => {
    const { writes, result } = await runInQuickJS(`${header}
      const out = {};
      out.value = o.withSpan('sync', () => 7, { k: 'v' });
      const boom = new Error('boom');
      try { o.withSpan('throws', () => { o.spanEnter('left open'); throw boom; }); }
      catch (e) { out.same = e === boom; }
      const traced = o.traced(function add(a, b) { return a + b + this.c; });
      out.sum = traced.call({ c: 1 }, 2, 3);
      o.withSpan('async ok', async () => { await null; return 'done'; }).then((v) => { out.async = v; });
      o.withSpan('async fail', () => Promise.reject(new TypeError('nope'))).catch((e) => { out.rejected = e.message; });
      globalThis.result = out;
    `);
    expect(result).toEqual({ value: 7, same: true, sum: 6, async: 'done', rejected: 'nope' });
    expect(decode(writes)).toEqual([
      { type: 'span-enter', name: 'sync' },
      { type: 'span-tags', tags: 'k:v' },
      { type: 'span-exit' },
      { type: 'span-enter', name: 'throws' },
      { type: 'span-enter', name: 'left open' },
      // What fn left open closes first: the tag and the log belong to the span that failed.
      { type: 'span-exit' },
      { type: 'span-tags', tags: 'error.type:Error' },
      { type: 'log', level: LogLevel.Error, message: 'Error: boom' },
      { type: 'span-exit' },
      { type: 'span-enter', name: 'add' },
      { type: 'span-exit' },
      { type: 'span-enter', name: 'async ok' },
      { type: 'span-enter', name: 'async fail' },
      // The rejection settles first (one tick; 'async ok' needs more): one stack, closed in
      // settlement order.
      { type: 'span-tags', tags: 'error.type:TypeError' },
      { type: 'log', level: LogLevel.Error, message: 'TypeError: nope' },
      { type: 'span-exit' },
      { type: 'span-exit' },
    ]);
  });

  it('tags a failed span with the error name, or _OTHER for what is not an Error', async () => {
    const { writes } = await runInQuickJS(`${header}
      class QuotaError extends Error { constructor(m) { super(m); this.name = 'Quota,Error|x'; } }
      const fail = (e) => { try { o.withSpan('s', () => { throw e; }); } catch (_) {} };
      fail(new RangeError('r')); fail(new QuotaError('q')); fail('just a string'); fail({ name: 7 });
      try { o.traced(function f() { throw new SyntaxError('t'); })(); } catch (_) {}
    `);
    const tags = decode(writes).filter((r) => 'type' in r && r.type === 'span-tags');
    expect(tags).toEqual(
      ['RangeError', 'Quota_Error_x', '_OTHER', '_OTHER', 'SyntaxError'].map((t) => ({ type: 'span-tags', tags: `error.type:${t}` })),
    );
  });

  it('keeps ordinary stderr text apart from records, in order', async () => {
    const { writes } = await runInQuickJS(`${header}
      const text = (s) => new Uint8Array(Array.from(s, (c) => c.charCodeAt(0)));
      Javy.IO.writeSync(2, text('starting\\n'));
      o.spanEnter('work');
      Javy.IO.writeSync(1, text('{"ok":true}\\n'));
      Javy.IO.writeSync(2, text('\\u0000OBS not a record\\n'));
      o.log(o.LogLevel.Debug, 'inside');
      o.spanExit();
      Javy.IO.writeSync(2, text('bye\\n'));
    `);
    expect(decode(writes)).toEqual([
      { fd: 2, text: 'starting\n' },
      { type: 'span-enter', name: 'work' },
      { fd: 1, text: '{"ok":true}\n' },
      { fd: 2, text: '\0OBS not a record\n' },
      { type: 'log', level: LogLevel.Debug, message: 'inside' },
      { type: 'span-exit' },
      { fd: 2, text: 'bye\n' },
    ]);
  });

  it('is a silent no-op outside Javy, and never throws into user code', async () => {
    const outside = await runInQuickJS(
      `${header}
      o.spanEnter('x'); o.log(1, 'y'); o.increment('z'); o.spanExit();
      globalThis.result = o.withSpan('still runs', () => 'value');`,
      { javy: false },
    );
    expect(outside).toEqual({ writes: [], result: 'value' });

    const hostile = await runInQuickJS(`${header}
      const evil = { toString() { throw new Error('evil'); } };
      o.spanEnter(evil); o.spanTags({ get k() { throw new Error('getter'); } });
      o.log(evil, 'bad level'); o.log(1, evil); o.metric(300, 'x'); o.counter('n', NaN);
      o.gauge('g', Infinity); o.set('s', evil); o.spanTags(null);
      Javy.IO.writeSync = () => { throw new Error('stderr closed'); };
      o.spanEnter('lost'); o.spanExit();
      globalThis.result = 'survived';`);
    expect(hostile).toEqual({ writes: [], result: 'survived' });
  });
});

describe('the channel the binding picks', () => {
  const script = `${header} o.log(o.LogLevel.Info, 'hi'); globalThis.result = o.channel();`;

  it('writes text records with console.error when Javy.IO is missing, one argument per call', async () => {
    const { writes, result } = await runInQuickJS(script, { javy: false, console: true });
    expect(result).toBe('console');
    expect(writes.map((w) => new TextDecoder().decode(w.iovecs[0]))).toEqual(['\0OBSt140300000002hi', '\n']);
    expect(decode(writes.slice(0, 1))).toEqual([{ type: 'log', level: LogLevel.Info, message: 'hi' }]);
  });

  it('prefers Javy.IO when both exist', async () => {
    const { writes, result } = await runInQuickJS(script, { console: true });
    expect(result).toBe('javy-io');
    expect(decode(writes)).toEqual([{ type: 'log', level: LogLevel.Info, message: 'hi' }]);
    expect(writes[0]!.iovecs[0]![4]).toBe(VERSION);
  });

  it('stays silent where console.error is not a Javy stderr (Node, Deno, Bun, browsers)', async () => {
    for (const prelude of ['globalThis.process = {};', 'globalThis.window = {};', 'globalThis.self = globalThis;', 'globalThis.Deno = {};']) {
      expect(await runInQuickJS(script, { javy: false, console: true, prelude })).toEqual({ writes: [], result: undefined });
    }
  });
});

describe('the record format and the ABI table agree', () => {
  it('has one opcode per dylibso:observe/api import, named as the import', () => {
    for (const name of Object.keys(OPS)) expect(importSpec(API_MODULE, name)?.kind).toBe(name);
    expect(Object.values(OPS)).toEqual([1, 2, 3, 4, 5]);
  });

  it('numbers levels and formats as spec.ts does', async () => {
    const { result } = await runInQuickJS(`${header} globalThis.result = { l: o.LogLevel, f: o.MetricFormat };`, {
      javy: false,
    });
    const fromSpec = (e: object) => Object.fromEntries(Object.entries(e).filter(([, v]) => typeof v === 'number'));
    expect(result).toEqual({ l: fromSpec(LogLevel), f: fromSpec(MetricFormat) });
  });
});
