/**
 * What the other-runtime tests load, made in Node once per run: the test guests as `.wasm` files
 * (the embedding example's reactor, a trapping reactor, the AssemblyScript example as a WASI
 * command) and the root entry bundled for the browser the way a user's bundler does it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { watToWasm } from '../../host/node/index.ts';
import { compileExample } from '../assemblyscript/asc.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const OUT = join(ROOT, 'tests', 'build', 'runtimes');

export const GUESTS = ['handler.wasm', 'trap.wasm', 'example.wasm'] as const;

let guests: Promise<void> | undefined;

/** Writes the three guests to tests/build/runtimes/. */
export function buildGuests(): Promise<void> {
  return (guests ??= (async () => {
    await mkdir(OUT, { recursive: true });
    const wat = (path: string) => readFile(join(ROOT, path), 'utf8').then((text) => watToWasm(text, path));
    await writeFile(join(OUT, 'handler.wasm'), await wat('examples/host/handler.wat'));
    await writeFile(join(OUT, 'trap.wasm'), await wat('tests/runtimes/guests/trap.wat'));
    await writeFile(join(OUT, 'example.wasm'), await compileExample());
  })());
}

/**
 * Bundles `entry` for browsers (or, with `workerd`, for Cloudflare Workers). Node built-ins stay
 * imports, so a core file that imports one fails where the bundle is loaded, as it would for a
 * user, instead of being papered over by a polyfill.
 */
export async function bundle(entry: string, outfile: string, options: { workerd?: boolean } = {}): Promise<{ bytes: number; gzipBytes: number }> {
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile: join(OUT, outfile),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    conditions: options.workerd ? ['workerd', 'worker', 'browser'] : ['browser'],
    external: ['*.wasm', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
    logLevel: 'silent',
  });
  const written = await readFile(join(OUT, outfile));
  return { bytes: written.length, gzipBytes: gzipSync(written).length };
}
