// The binding on a real Javy 7 runtime: the plugin from @chainlink/cre-sdk-javy-plugin, which
// has console but no Javy.IO, so every record travels as text through console.error. The app is
// a dynamically linked module made as `javy build -C dynamic` makes one; it runs through
// runWasi's javyPlugin option with the plugin as shipped (unlinked: the host decodes stderr)
// and after javy-link (linked: the plugin calls the Observe imports itself).
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Observer } from '../../host/index.ts';
import { OtlpJsonlExporter, StatsdExporter, runWasi, type RunResult } from '../../host/node/index.ts';
import { linkJavy } from '../../host/javy/link.ts';
import * as wasm from '../../host/tools/wasm-binary.ts';
import { API_MODULE, IMPORTS } from '../../host/abi/spec.ts';
import { parseOtlpJsonl, scratch, traceShape, type Exported } from '../helpers/otlp.ts';
import { StatsdDaemon } from '../adapters/statsd-daemon.ts';
import { PLUGIN_PATH, javyBuildDynamic, pluginModule, pluginNamespace } from './plugin.ts';

const GUEST = `import * as o from './bindings/javy/index.js';
console.log('starting up');
console.error('warning: slow disk');
o.withSpan('handle request', () => {
  o.spanTags({ route: '/users/:id', method: 'GET' });
  o.spanTag('user', 42);
  o.log(o.LogLevel.Info, 'résumé 🌍 loaded');
  o.log(o.LogLevel.Debug, 'line one\\nline two\\n');
  o.log(o.LogLevel.Warn, 'careful: 100% %s %d %o {}');
  o.log(o.LogLevel.Trace, 'lone \\ud800 surrogate');
  console.error('');
  o.withSpan('db query', () => {
    o.timing('db.latency', 12, 1, { table: 'users' });
    o.histogram('rows', 3);
    o.distribution('row.bytes', 512);
  });
  o.spanEnter('cache');
  o.counter('cache.hits', 2);
  o.gauge('cache.size', 40);
  o.gaugeDelta('cache.size', -5);
  o.set('cache.keys', 'users:1');
  o.metric(o.MetricFormat.Statsd, 'raw.metric:1|c');
  o.spanExit();
  console.log('');
  o.increment('requests', 1, 'status:200');
  const render = o.traced(() => { throw new Error('template missing'); }, 'render');
  try { render(); } catch (_) {}
  try { o.withSpan('validate', () => { o.spanEnter('left open'); throw new TypeError('bad input'); }); } catch (_) {}
  console.error('spans open:', o.openSpans(), 'channel:', o.channel());
});
o.withSpan('async work', async () => { await null; throw new RangeError('late'); }).catch(() => console.error('rejection seen'));
console.log('{"ok":true}');
`;

interface Run {
  result: RunResult;
  exported: Exported;
  stdout: string;
  stderr: string;
  anomalies: Record<string, number>;
}

/** Runs `app` against `plugin` with OTLP JSON lines to a file and statsd to `daemon`. */
async function run(app: Uint8Array, plugin: Uint8Array, daemon?: StatsdDaemon): Promise<Run> {
  const { dir, remove } = scratch();
  const paths = { out: join(dir, 'stdout'), err: join(dir, 'stderr'), otlp: join(dir, 'otlp.jsonl') };
  const [out, err] = [openSync(paths.out, 'w'), openSync(paths.err, 'w')];
  try {
    const exporters = [new OtlpJsonlExporter({ path: paths.otlp })];
    const statsd = daemon ? [new StatsdExporter({ url: `udp://127.0.0.1:${daemon.port}` })] : [];
    const observer = new Observer({ exporters: [...exporters, ...statsd] });
    const result = await runWasi(app, { observer, javyPlugin: plugin, stdio: [0, out, err], traceName: 'javy' });
    await observer.shutdown();
    return {
      result,
      exported: parseOtlpJsonl(readFileSync(paths.otlp, 'utf8')),
      stdout: readFileSync(paths.out, 'utf8'),
      stderr: readFileSync(paths.err, 'utf8'),
      anomalies: { ...observer.anomalies() } as Record<string, number>,
    };
  } finally {
    closeSync(out);
    closeSync(err);
    remove();
  }
}

const plugin = readFileSync(PLUGIN_PATH);
const daemons = [new StatsdDaemon(), new StatsdDaemon()];
beforeAll(() => Promise.all(daemons.map((d) => d.start())));
afterAll(() => daemons.forEach((d) => d.stop()));

describe('the Javy binding on a real Javy 7 runtime (dynamically linked app, plugin unlinked and linked)', async () => {
  const app = await javyBuildDynamic(GUEST);
  const linkedPlugin = await linkJavy(plugin);
  let unlinked: Run;
  let linked: Run;
  beforeAll(async () => {
    unlinked = await run(app, plugin, daemons[0]);
    linked = await run(app, linkedPlugin, daemons[1]);
  });

  it('is the size of a dynamically linked module: the bytecode, not QuickJS', () => {
    expect(app.length).toBeLessThan(64 * 1024);
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(app));
    expect(new Set(imports.map((i) => i.module))).toEqual(new Set([pluginNamespace()]));
  });

  it('runs to completion both ways, with no anomalies', () => {
    for (const r of [unlinked, linked]) {
      expect(r.result).toEqual({ exitCode: 0 });
      expect(r.anomalies).toEqual({});
    }
  });

  it('builds the span tree with its tags, failed spans (thrown, rejected) tagged error.type and exported as ERROR', () => {
    const s = traceShape(unlinked.exported);
    expect(s.spans).toEqual([
      { name: 'async work', parent: undefined, attributes: { 'error.type': 'RangeError' }, status: 2 },
      { name: 'cache', parent: 'handle request', attributes: {}, status: 0 },
      { name: 'db query', parent: 'handle request', attributes: {}, status: 0 },
      { name: 'handle request', parent: undefined, attributes: { route: '/users/:id', method: 'GET', user: '42' }, status: 0 },
      { name: 'left open', parent: 'validate', attributes: {}, status: 0 },
      { name: 'render', parent: 'handle request', attributes: { 'error.type': 'Error' }, status: 2 },
      { name: 'validate', parent: 'handle request', attributes: { 'error.type': 'TypeError' }, status: 2 },
    ]);
  });

  it('exports every log with its level and text: non-ASCII, newlines, a lone surrogate as U+FFFD', () => {
    expect(traceShape(unlinked.exported).logs).toEqual([
      { body: 'résumé 🌍 loaded', severity: 9, span: 'handle request' },
      { body: 'line one\nline two\n', severity: 5, span: 'handle request' },
      { body: 'careful: 100% %s %d %o {}', severity: 13, span: 'handle request' },
      { body: 'lone \ufffd surrogate', severity: 1, span: 'handle request' },
      { body: 'Error: template missing', severity: 17, span: 'render' },
      { body: 'TypeError: bad input', severity: 17, span: 'validate' },
      { body: 'RangeError: late', severity: 17, span: 'async work' },
    ]);
  });

  it('exports the statsd metrics', () => {
    const byName = Object.fromEntries(traceShape(unlinked.exported).metrics.map((m) => [m.name, m]));
    expect(Object.keys(byName).sort()).toEqual(
      ['cache.hits', 'cache.keys', 'cache.size', 'db.latency', 'raw.metric', 'requests', 'row.bytes', 'rows'].sort(),
    );
    expect(byName['requests']).toMatchObject({ kind: 'sum', value: 1, attributes: { status: '200' } });
    expect(byName['cache.hits']).toMatchObject({ kind: 'sum', value: 2 });
    expect(byName['db.latency']).toMatchObject({ kind: 'histogram', sum: 12, count: 1, attributes: { table: 'users' } });
  });

  it('delivers the statsd metrics to a real statsd daemon, both ways', async () => {
    for (const daemon of daemons) {
      const counters = await daemon.until('counters', (c) => c['requests;status=200'] !== undefined && c['cache.hits'] !== undefined);
      // Plain statsd carries tags in the name, graphite style.
      expect(counters).toMatchObject({ 'requests;status=200': 1, 'cache.hits': 2, 'raw.metric': 1, 'statsd.bad_lines_seen': 0 });
      const gauges = await daemon.until('gauges', (g) => g['cache.size'] !== undefined);
      expect(gauges['cache.size']).toBe(35);
      const timers = await daemon.until('timers', (t) => t['db.latency;table=users'] !== undefined);
      expect(timers).toMatchObject({ 'db.latency;table=users': [12], rows: [3], 'row.bytes': [512] });
    }
  });

  it('gives the same trace linked and unlinked', () => {
    expect(traceShape(linked.exported)).toEqual(traceShape(unlinked.exported));
  });

  it('keeps console output intact on both streams, with no record bytes and no extra newline', () => {
    for (const r of [unlinked, linked]) {
      expect(r.stdout).toBe('starting up\n\n{"ok":true}\n');
      expect(r.stderr).toBe('warning: slow disk\n\nspans open: 1 channel: console\nrejection seen\n');
    }
  });
});

describe('javy-link on the real plugin', async () => {
  const linked = await linkJavy(plugin);
  const before = WebAssembly.Module.imports(pluginModule());
  const after = new WebAssembly.Module(linked);

  it('adds a few KB of code (and a name section), not a copy of anything', () => {
    const size = (bytes: Uint8Array, id: number) => wasm.sections(bytes).find((s) => s.id === id)!.payload.length;
    const CODE = 10;
    expect(size(linked, CODE) - size(plugin, CODE)).toBeGreaterThan(0);
    expect(size(linked, CODE) - size(plugin, CODE)).toBeLessThan(4096);
    expect(linked.length - plugin.length).toBeLessThan(16 * 1024);
  });

  it('keeps every import and adds exactly the Observe API', () => {
    const names = (list: WebAssembly.ModuleImportDescriptor[]) => list.map((i) => `${i.module}.${i.name}`).sort();
    const api = IMPORTS.filter((i) => i.module === API_MODULE).map((i) => `${i.module}.${i.name}`);
    expect(names(WebAssembly.Module.imports(after))).toEqual([...names(before), ...api].sort());
  });

  it('keeps the exports and the import_namespace section apps are linked by', () => {
    expect(WebAssembly.Module.exports(after)).toEqual(WebAssembly.Module.exports(pluginModule()));
    expect(new TextDecoder().decode(WebAssembly.Module.customSections(after, 'import_namespace')[0])).toBe(pluginNamespace());
  });
});

describe('a long run on the real runtime: 100k records', async () => {
  const RECORDS = 100_000;
  const app = await javyBuildDynamic(`import * as o from './bindings/javy/index.js';
for (let i = 0; i < ${RECORDS}; i++) o.increment('loop.iterations');
console.log('done');`);

  for (const [name, javyPlugin] of [
    ['unlinked', plugin],
    ['linked', await linkJavy(plugin)],
  ] as const) {
    it(`delivers every record and leaks none to stderr (${name}; cost per record: npm run bench)`, async () => {
      const r = await run(app, javyPlugin);
      expect(r.result).toEqual({ exitCode: 0 });
      expect(r.anomalies).toEqual({});
      expect(r.exported.metrics).toEqual([expect.objectContaining({ name: 'loop.iterations', kind: 'sum', value: RECORDS })]);
      expect(r.stdout).toBe('done\n');
      expect(r.stderr).toBe('');
    });
  }
});
