/**
 * What a user pays for the package: the size of `npm install wasm-observe` (the packed tarball
 * and its production dependencies, in a fresh project) and how long `wasm-observe run` takes to
 * start, run a tiny guest and exit, per exporter, next to plain `node` doing nothing. Each is a
 * fresh process, run in rounds that take every case in turn; the fastest run counts (other work
 * on the machine only adds), the median is shown beside it. The otlp exporter sends to a loopback
 * receiver that accepts everything, so its figure is start-up plus one export, not network time.
 *
 *   npx tsx bench/startup.bench.ts [wasm-observe-x.y.z.tgz]   (default: packs this checkout)
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { watToWasm } from '../host/node/load.ts';
import { ROOT, packAndInstall } from '../tests/consumer/install.ts';

const ROUNDS = 9;
const run = promisify(execFile);

/** Apparent size of every file under `dir`. */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1).padStart(6)} MB`;

interface Case {
  label: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  times: number[];
}

async function time({ command, args, env, times }: Case): Promise<void> {
  const start = performance.now();
  await run(command, args, { env: env ?? process.env });
  times.push(performance.now() - start);
}

const fastest = (c: Case) => Math.min(...c.times);
const median = (c: Case) => [...c.times].sort((a, b) => a - b)[c.times.length >> 1]!;

export async function startupBench(tarball?: string): Promise<void> {
  const pkg = packAndInstall(tarball === undefined ? { build: true } : { tarball: resolve(tarball) });
  // An OTLP/HTTP receiver that accepts whatever arrives.
  const receiver = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end()));
  await new Promise<void>((ready) => receiver.listen(0, '127.0.0.1', ready));
  try {
    const modules = join(pkg.project, 'node_modules');
    const sizes = readdirSync(modules)
      .flatMap((name) => (name.startsWith('@') ? readdirSync(join(modules, name)).map((inner) => `${name}/${inner}`) : [name]))
      .filter((name) => !name.startsWith('.'))
      .map((name) => ({ name, bytes: bytesUnder(join(modules, name)) }))
      .sort((a, b) => b.bytes - a.bytes);
    console.log(`install: npm install ${tarball ?? 'wasm-observe (this checkout, packed)'}`);
    console.log(`  tarball                                ${mb(statSync(pkg.tarball).size)}`);
    console.log(`  node_modules                           ${mb(sizes.reduce((n, s) => n + s.bytes, 0))}  (${sizes.length} packages)`);
    for (const { name, bytes } of sizes.slice(0, 5)) console.log(`    ${name.padEnd(36)} ${mb(bytes)}`);

    const guest = join(pkg.project, 'tiny.wasm');
    writeFileSync(guest, await watToWasm(readFileSync(join(ROOT, 'examples/wat/demo.wat'), 'utf8')));
    const cli = join(modules, '.bin', 'wasm-observe');
    const otlpEnv = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}` };
    const node: Case = { label: 'node -e 0', command: process.execPath, args: ['-e', '0'], times: [] };
    const exporters: [string, string[], NodeJS.ProcessEnv?][] = [
      ['none', []],
      ['stdout', []],
      ['otlp-jsonl', ['--out', join(pkg.project, 'out.jsonl')]],
      ['otlp', [], otlpEnv],
    ];
    const cases: Case[] = [
      node,
      ...exporters.map(([exporter, extra, env]) => ({
        label: `--exporter ${exporter}`,
        command: cli,
        args: ['run', guest, '--exporter', exporter, ...extra],
        env,
        times: [],
      })),
    ];
    for (let round = 0; round < ROUNDS; round++) for (const c of cases) await time(c);
    console.log(`start-up: wasm-observe run on a tiny guest (examples/wat/demo.wat), fastest (median) of ${ROUNDS}`);
    for (const c of cases) {
      const versus = c === node ? '' : `   node + ${(fastest(c) - fastest(node)).toFixed(0)} ms`;
      console.log(`  ${c.label.padEnd(38)} ${fastest(c).toFixed(0).padStart(6)} ms (${median(c).toFixed(0)})${versus}`);
    }
  } finally {
    receiver.close();
    pkg.remove();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await startupBench(process.argv[2]);
