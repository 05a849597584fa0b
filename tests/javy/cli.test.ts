// `wasm-observe javy-link` as a user runs it: exit codes and files.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../host/cli/main.ts';
import { API_MODULE } from '../../host/abi/spec.ts';
import { scratch } from '../helpers/otlp.ts';
import { standinWasm } from './standin.ts';

const { dir, remove } = scratch();
afterAll(remove);

async function cli(...argv: string[]): Promise<{ code: number; stderr: string }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (chunks.push(String(chunk)), true));
  try {
    return { code: await main(['javy-link', ...argv]), stderr: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('wasm-observe javy-link', async () => {
  const input = join(dir, 'app.wasm');
  writeFileSync(input, await standinWasm([{ fd: 2, iovecs: [new TextEncoder().encode('hi\n')] }]));

  it('writes a module that imports the Observe API', async () => {
    const out = join(dir, 'app.observe.wasm');
    const { code, stderr } = await cli(input, '-o', out);
    expect(code).toBe(0);
    expect(stderr).toMatch(/app\.wasm .* → .*app\.observe\.wasm/);
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(out)));
    expect(imports.filter((i) => i.module === API_MODULE)).toHaveLength(5);
  });

  it('refuses its own output with exit code 1', async () => {
    const out = join(dir, 'twice.wasm');
    const { code, stderr } = await cli(join(dir, 'app.observe.wasm'), '-o', out);
    expect(code).toBe(1);
    expect(stderr).toMatch(/already imports dylibso:observe\/api/);
  });

  it('is a usage error (exit 2) without -o', async () => {
    expect((await cli(input)).code).toBe(2);
  });
});
