// examples/javy as a user builds it, with QuickJS + the WASI stand-in in place of
// `javy build -J javy-stream-io=y` (the app uses `javy/fs`, which needs Javy.IO, and the real
// runtime in this kit's tests has none): bundle with esbuild, run on examples/javy/order.json,
// link, run under the host, read the exported trace.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { linkJavy } from '../../host/javy/link.ts';
import { runTraced } from '../helpers/otlp.ts';
import { runInQuickJS } from './quickjs.ts';
import { standinWasm } from './standin.ts';

/** The bundle `javy build` would be given. */
async function bundleExample(): Promise<string> {
  const out = await build({ entryPoints: ['examples/javy/app.js'], bundle: true, format: 'esm', target: 'es2020', write: false });
  return out.outputFiles[0]!.text;
}

describe('examples/javy', async () => {
  const bundle = await bundleExample();
  const { writes } = await runInQuickJS(bundle, { stdin: readFileSync('examples/javy/order.json') });
  const linked = await runTraced(await linkJavy(await standinWasm(writes)), { stdio: [0, 1, 2] });

  it('bundles into one import-free file (javy/fs included) that runs in QuickJS', () => {
    expect(bundle).not.toMatch(/^\s*import\s/m);
    expect(bundle).toContain('Javy.IO.readSync');
    const stdout = writes.filter((w) => w.fd === 1).map((w) => new TextDecoder().decode(w.iovecs[0]));
    expect(stdout).toEqual(['{"id":"A-17","total":9}\n']);
  });

  it('exports the spans, logs and metrics its README shows', () => {
    expect(linked.result.exitCode).toBe(0);
    const names = linked.spans.map((s) => s.name).sort();
    expect(names).toEqual(['handle order', 'price', 'price', 'price']);
    const root = linked.spans.find((s) => s.name === 'handle order')!;
    expect(root.attributes).toMatchObject({ 'order.id': 'A-17' });
    expect(linked.spans.filter((s) => s.name === 'price').every((s) => s.parentSpanId === root.spanId)).toBe(true);
    expect(linked.logs.map((l) => l.body)).toEqual([
      'pricing 3 items',
      'Error: unknown sku tea',
      'skipped: unknown sku tea',
    ]);
    expect(linked.metrics.map((m) => m.name).sort()).toEqual(['orders.priced', 'orders.skipped_items', 'orders.total_cents']);
  });
});
