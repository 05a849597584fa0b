/**
 * What the other-runtime tests load, made in Node once per run: the test guests as `.wasm` files
 * (the embedding example's reactor, a trapping reactor, the AssemblyScript example as a WASI
 * command) and the root entry bundled for the browser the way a user's bundler does it.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { watToWasm } from '../../host/node/index.ts';
import { compileExample } from '../assemblyscript/asc.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const OUT = join(ROOT, 'tests', 'build', 'runtimes');

export const GUESTS = ['handler.wasm', 'trap.wasm', 'example.wasm'] as const;

let guests: Promise<void> | undefined;

/** Test files run in parallel processes and rebuild the same files: never expose a half-written one. */
export async function writeAtomic(path: string, contents: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, contents);
  await rename(tmp, path);
}

/** Writes the three guests to tests/build/runtimes/. */
export function buildGuests(): Promise<void> {
  return (guests ??= (async () => {
    await mkdir(OUT, { recursive: true });
    const wat = (path: string) => readFile(join(ROOT, path), 'utf8').then((text) => watToWasm(text, path));
    await writeAtomic(join(OUT, 'handler.wasm'), await wat('examples/host/handler.wat'));
    await writeAtomic(join(OUT, 'trap.wasm'), await wat('tests/runtimes/guests/trap.wat'));
    await writeAtomic(join(OUT, 'example.wasm'), await compileExample());
  })());
}

/**
 * Bundles `entry` for browsers (or, with `workerd`, for Cloudflare Workers). Node built-ins stay
 * imports, so a core file that imports one fails where the bundle is loaded, as it would for a
 * user, instead of being papered over by a polyfill.
 */
export async function bundle(entry: string, outfile: string, options: { workerd?: boolean } = {}): Promise<{ bytes: number; gzipBytes: number }> {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    outfile: join(OUT, outfile),
    write: false,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    // platform 'browser' adds the `browser` condition; esbuild's default `module` must be named once others are.
    conditions: options.workerd ? ['workerd', 'worker', 'module'] : undefined,
    external: ['*.wasm', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
    logLevel: 'silent',
  });
  const written = result.outputFiles[0]!.contents;
  await writeAtomic(join(OUT, outfile), written);
  return { bytes: written.length, gzipBytes: gzipSync(written).length };
}
