/**
 * Cost per record of the Javy binding on a real Javy 7 runtime (the QuickJS plugin from
 * @chainlink/cre-sdk-javy-plugin, a devDependency): a dynamically linked app calls the binding
 * 100k times in a loop, run with the plugin as shipped (the host decodes the console.error text
 * records) and with the plugin after javy-link (the plugin calls the Observe imports). The same
 * loop calling an empty function is the floor; each figure is the run minus that floor, divided
 * by the record count: binding, QuickJS's console.error, WASI and the host's handling together.
 * Each run is repeated and the fastest kept: other work on the machine only adds time.
 *
 *   npx tsx bench/javy.bench.ts
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Observer } from '../host/index.ts';
import { runWasi } from '../host/node/index.ts';
import { linkJavy } from '../host/javy/link.ts';
import { PLUGIN_PATH, javyBuildDynamic } from '../tests/javy/plugin.ts';

const ROUNDS = 5;

const LOOPS: [string, string][] = [
  ['increment("loop.iterations")', `o.increment('loop.iterations')`],
  ['log(Info, 23 chars)', `o.log(o.LogLevel.Info, 'request handled in 3ms')`],
  ['spanEnter("handle") + spanExit()', `(o.spanEnter('handle'), o.spanExit())`],
];

async function fastest(app: Uint8Array, plugin: Uint8Array): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const observer = new Observer();
    const start = process.hrtime.bigint();
    const result = await runWasi(app, { observer, javyPlugin: plugin });
    best = Math.min(best, Number(process.hrtime.bigint() - start));
    await observer.shutdown();
    if (result.exitCode !== 0) throw new Error(`bench app failed: ${String(result.error)}`);
  }
  return best;
}

const program = (n: number, body: string) => `import * as o from './bindings/javy/index.js';
const noop = (x) => x;
for (let i = 0; i < ${n}; i++) ${body};`;

export async function javyBench(n = 100_000): Promise<void> {
  const plugin = readFileSync(PLUGIN_PATH);
  const plugins = { unlinked: plugin, linked: await linkJavy(plugin) };
  const floorApp = await javyBuildDynamic(program(n, `noop('loop.iterations')`));
  console.log(`Javy binding on a real Javy 7 runtime (QuickJS plugin), ${n} records per run, console.error channel`);
  for (const [which, p] of Object.entries(plugins)) {
    const floor = await fastest(floorApp, p);
    console.log(`  ${which} plugin: empty loop ${(floor / 1e6).toFixed(1)} ms (instantiation, runtime init, loop)`);
    for (const [label, body] of LOOPS) {
      const app = await javyBuildDynamic(program(n, body));
      const ns = ((await fastest(app, p)) - floor) / n;
      const records = body.includes('spanExit') ? 2 : 1;
      console.log(`    ${label.padEnd(36)} ${(ns / 1000).toFixed(2).padStart(6)} µs/iter  ${(ns / records / 1000).toFixed(2).padStart(6)} µs/record`);
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await javyBench();
