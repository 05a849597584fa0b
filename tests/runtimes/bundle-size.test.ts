/**
 * What the root entry costs a page, bundled and minified by esbuild for the browser (the README
 * quotes these figures): a budget per typical import, so a heavy dependency slipping into the
 * core shows up here.
 */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ROOT } from './prepare.ts';

/** The gzipped size of a bundle of the root entry's named exports, or of all of it (`*`). */
async function gzipKiB(imports: string): Promise<number> {
  const result = await build({
    stdin: { contents: `export ${imports === '*' ? '*' : `{ ${imports} }`} from './host/index.ts';`, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
  });
  return gzipSync(result.outputFiles[0]!.contents).length / 1024;
}

describe('the browser bundle', () => {
  it('stays within its size budget (gzipped)', async () => {
    // The delivery layer (batches, holding, retry, drops) is in every exporter, the tree's too.
    expect(await gzipKiB('Observer, TextTreeExporter, runWasiModule')).toBeLessThan(17.5);
    expect(await gzipKiB('Observer, OtelSdkExporter')).toBeLessThan(28);
    expect(await gzipKiB('Observer, TextTreeExporter, runWasiModule, OtlpHttpExporter')).toBeLessThan(42);
    expect(await gzipKiB('*')).toBeLessThan(43.5);
  });
});
