/**
 * Instrumented code that also opens spans by hand, built by real toolchains: a C program whose
 * span-enter and span-exit sit in helper functions (clang + wasi-libc, at -O0 so every helper and
 * recursion stays a function), and the AssemblyScript example built with asc's debug target. Each
 * manual span closes only on span-exit and each function span only on its own exit, in one tree.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentModule } from '../../host/tools/instrument.ts';
import { DatadogExporter } from '../../host/exporters/datadog.ts';
import { ZipkinExporter } from '../../host/exporters/zipkin.ts';
import { StdoutExporter } from '../../host/exporters/stdout.ts';
import { ancestors, runTraced, scratch, type Span } from '../helpers/otlp.ts';
import { Backend, freePort, runGuest, traces } from '../adapters/loopback.ts';
import { compile, WASI_COMMAND } from '../assemblyscript/asc.ts';
import { tree } from '../instrument/guests.ts';
import { needsClang } from './clang.ts';

const tmp = scratch();
afterAll(tmp.remove);

let helpers: Uint8Array;
beforeAll(async () => {
  if (needsClang) return;
  const wasm = join(tmp.dir, 'helpers.wasm');
  const cc = spawnSync('clang', ['--target=wasm32-wasi', '--sysroot=/usr', '-O0', '-o', wasm, 'tests/guests/c/helpers.c'], { encoding: 'utf8' });
  expect(cc.error?.message ?? cc.stderr).toBe('');
  helpers = await instrumentModule(readFileSync(wasm));
});

const MANUAL = ['request', 'nested', 'check', 'bottom'];
const CODE = ['__original_main', 'open_request', 'close_request', 'traced_enter', 'traced_exit', 'my_span_enter', 'my_span_exit', 'my_log', 'work', 'checked', 'recurse'];
const named = (names: string[]) => (name: string) => names.includes(name);

/** The span a log record was sent under. */
const logSpan = (spans: Span[], logs: { body: unknown; spanId: string | undefined }[], body: string) =>
  logs.filter((l) => l.body === body).map((l) => spans.find((s) => s.spanId === l.spanId)?.name);

describe.skipIf(needsClang)('a C program with span helpers, instrumented', () => {
  it('every span of both kinds, at --min-span-us 0', async () => {
    const { spans, logs, result } = await runTraced(helpers, { stdio: [0, 2, 2], observer: { minSpanDurationMicros: 0 } });
    expect(result.exitCode).toBe(0);
    expect(tree(spans, named([...MANUAL, ...CODE]))).toBe(
      '__original_main(' +
        'open_request(traced_enter(my_span_enter)),' +
        'request(' +
        'work(my_log),my_span_enter,nested(work(my_log)),my_span_exit,' +
        'checked(my_span_enter,check,my_span_exit),' +
        'checked(my_span_enter,check,my_span_exit),' +
        'checked(my_span_enter,check(work(my_log)),my_span_exit),' +
        'recurse(recurse(recurse(recurse(my_span_enter)))),' +
        'bottom(my_log),my_span_exit),' +
        'close_request(traced_exit(my_span_exit)))',
    );
    expect(logSpan(spans, logs, 'at the bottom')).toEqual(['my_log']);
    expect(spans.filter((s) => s.attributes['wasm_observe.unclosed'] !== undefined)).toEqual([]);
    expect(logs.filter((l) => String(l.body).startsWith('wasm-observe'))).toEqual([]);
  });

  it('the manual spans and their logs, under the default 20 µs filter', async () => {
    const { spans, logs } = await runTraced(helpers, { stdio: [0, 2, 2] });
    expect(tree(spans, named(MANUAL))).toBe('request(nested,check,check,check,bottom)');
    // Wherever a log lands (the filter decides which short functions stay), it is inside its manual span.
    const where = logs.map((l) => [l.body, ancestors(spans, l.spanId).filter((n) => MANUAL.includes(n))[0]]);
    expect(where).toEqual([
      ['working', 'request'],
      ['working', 'nested'],
      ['working', 'check'],
      ['at the bottom', 'bottom'],
    ]);
  });
});

/** Parent names by span name, for spans named once. */
function parents(spans: { id: string; parent: string | undefined; name: string }[], names: string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of names) {
    const s = spans.find((x) => x.name === name)!;
    out[name] = spans.find((x) => x.id === s.parent)?.name;
  }
  return out;
}

const EXPECTED_PARENTS = { request: '__original_main', nested: 'request', bottom: 'request', open_request: '__original_main', close_request: '__original_main' };

describe.skipIf(needsClang)('the same tree through every span exporter', () => {
  const names = Object.keys(EXPECTED_PARENTS);

  it('datadog', async () => {
    const agent = await new Backend().start();
    try {
      const dd = new DatadogExporter({
        env: { DD_TRACE_AGENT_URL: agent.url, DD_SERVICE: 'mixed' },
        statsd: { url: `udp://127.0.0.1:${await freePort('udp')}` },
        logs: { url: `${agent.url}/api/v2/logs`, apiKey: 'test' },
      });
      const { observer } = await runGuest([dd], { wasm: helpers, observer: { minSpanDurationMicros: 0 } });
      await observer.shutdown();
      const spans = traces(agent).flat().map((s) => ({ id: String(s.span_id), parent: String(s.parent_id), name: s.resource }));
      expect(parents(spans, names)).toEqual(EXPECTED_PARENTS);
    } finally {
      await agent.stop();
    }
  });

  it('zipkin', async () => {
    const collector = await new Backend().start();
    try {
      const zipkin = new ZipkinExporter({ env: { OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${collector.url}/api/v2/spans` } });
      const { observer } = await runGuest([zipkin], { wasm: helpers, observer: { minSpanDurationMicros: 0 } });
      await observer.shutdown();
      const spans = collector
        .on('/api/v2/spans')
        .flatMap((r) => JSON.parse(r.body.toString()) as { id: string; parentId?: string; name: string }[])
        .map((s) => ({ id: s.id, parent: s.parentId, name: s.name }));
      expect(parents(spans, names)).toEqual(EXPECTED_PARENTS);
    } finally {
      await collector.stop();
    }
  });

  it('stdout tree', async () => {
    let text = '';
    const stdout = new StdoutExporter({ write: (t) => void (text += t), color: false });
    const { observer } = await runGuest([stdout], { wasm: helpers, observer: { minSpanDurationMicros: 0 } });
    await observer.shutdown();
    // Each line is `<indent>├─ name …`; a span's parent is the nearest line above, one level out.
    const stack: string[] = [];
    const spans: { id: string; parent: string | undefined; name: string }[] = [];
    text.split('\n').forEach((line, i) => {
      const m = /^(.*?)[├└]─ (\S+)/.exec(line);
      if (!m) return;
      const depth = m[1]!.length / 3;
      stack[depth] = String(i);
      spans.push({ id: String(i), parent: stack[depth - 1], name: m[2]! });
    });
    expect(parents(spans, names)).toEqual(EXPECTED_PARENTS);
  });
});

describe('the AssemblyScript example at asc’s debug target, instrumented', () => {
  it('keeps its manual spans whole although spanEnter is a function there', async () => {
    const wasm = await compile([...WASI_COMMAND, 'examples/assemblyscript/index.ts', '--target', 'debug', '--optimizeLevel', '0']);
    const plain = await runTraced(wasm, { stdio: [0, 2, 2], observer: { minSpanDurationMicros: 0 } });
    const traced = await runTraced(await instrumentModule(wasm), { stdio: [0, 2, 2], observer: { minSpanDurationMicros: 0 } });
    const manual = new Set(plain.spans.map((s) => s.name));
    expect(manual.size).toBeGreaterThan(1);
    // The manual tree, its logs and its tags are what the uninstrumented module gives.
    const shape = (run: typeof plain) => tree(run.spans, (n) => manual.has(n));
    expect(shape(traced)).toBe(shape(plain));
    const manualAncestor = (run: typeof plain, id: string | undefined): string | undefined => {
      const s = run.spans.find((x) => x.spanId === id);
      return s === undefined || manual.has(s.name) ? s?.name : manualAncestor(run, s.parentSpanId);
    };
    const logsOf = (run: typeof plain) => run.logs.map((l) => [l.body, l.severityText, manualAncestor(run, l.spanId)]);
    expect(logsOf(traced)).toEqual(logsOf(plain));
    const tagsOf = (run: typeof plain) => run.spans.filter((s) => manual.has(s.name)).map((s) => [s.name, s.attributes]);
    expect(tagsOf(traced)).toEqual(tagsOf(plain));
    expect(traced.spans.filter((s) => s.attributes['wasm_observe.unclosed'] !== undefined)).toEqual([]);
  });
});
