/**
 * Compiles AssemblyScript with asc's JS API inside the test run; the binary stays in memory.
 */
import asc from 'assemblyscript/asc';
import type { Transform } from 'assemblyscript/transform';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import SpanTransform from '../../assembly/transform/index.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** The wasi-shim's options, for building a test guest as a WASI command. */
export const WASI_COMMAND = ['--config', 'node_modules/@assemblyscript/wasi-shim/asconfig.json'];

// Without --config, asc would read the root asconfig.json and build the example too.
const NEUTRAL_CONFIG = ['--config', 'tests/assembly/guests/asconfig.json'];

/**
 * Runs asc with `args` from the repository root and returns the module it wrote. The @span
 * transform is passed directly: asconfig.json names it `wasm-observe/transform`, which only
 * resolves once the package exports that path, so the config's entry is set aside here.
 */
export async function compile(args: string[]): Promise<Uint8Array> {
  let binary: Uint8Array | undefined;
  const config = args.includes('--config') ? [] : NEUTRAL_CONFIG;
  // asc adds `--lib` files (the wasi-shim's) to its module-wide library table and never takes
  // them out; without this, one WASI build would leak the shim into every later build.
  const stdlib = new Set(Object.keys(asc.libraryFiles));
  const result = await asc.main([...config, ...args, '--outFile', 'out.wasm'], {
    // asc instantiates a class it is given, as it does for a config entry; its typings only say Transform.
    transforms: [SpanTransform as unknown as Transform],
    readFile: async (name: string, baseDir: string) => {
      const text = await readFile(join(ROOT, baseDir, name), 'utf8').catch(() => null);
      if (text === null || join(baseDir, name) !== 'asconfig.json') return text;
      const config = JSON.parse(text);
      delete config.options.transform;
      return JSON.stringify(config);
    },
    writeFile: (name: string, contents: Uint8Array | string) => {
      if (name === 'out.wasm' && typeof contents !== 'string') binary = contents;
    },
    listFiles: async (dir: string, baseDir: string) => {
      const names = await readdir(join(ROOT, baseDir, dir)).catch(() => null);
      return names?.filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts')) ?? null;
    },
    stdout: asc.createMemoryStream(),
    stderr: asc.createMemoryStream(),
  });
  for (const name of Object.keys(asc.libraryFiles)) if (!stdlib.has(name)) delete asc.libraryFiles[name];
  if (result.error) throw new Error(`asc ${args.join(' ')} failed:\n${result.stderr.toString()}`);
  if (!binary) throw new Error(`asc ${args.join(' ')} wrote no module`);
  return binary;
}

/** The example under examples/assemblyscript, built through the root asconfig.json. */
export function compileExample(target = 'release'): Promise<Uint8Array> {
  return compile(['--config', 'asconfig.json', '--target', target]);
}

/** Imports a plain (non-WASI) AssemblyScript module needs besides the Observe API. */
export const ENV: WebAssembly.Imports = {
  env: {
    abort: () => {
      throw new Error('guest aborted');
    },
  },
};
