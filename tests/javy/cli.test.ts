// `wasm-observe javy-link` and `wasm-observe run --javy-plugin` as a user runs them.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../host/cli/main.ts';
import { API_MODULE } from '../../host/abi/spec.ts';
import { parseOtlpJsonl, scratch } from '../helpers/otlp.ts';
import { PLUGIN_PATH, javyBuildDynamic } from './plugin.ts';
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

describe('wasm-observe run --javy-plugin (the built CLI, a real Javy 7 plugin)', async () => {
  const app = join(dir, 'dynamic.wasm');
  writeFileSync(
    app,
    await javyBuildDynamic(`import { withSpan, log, LogLevel } from './bindings/javy/index.js';
withSpan('cli span', () => log(LogLevel.Warn, 'from the CLI'));
console.log('plain output');`),
  );

  it('runs a dynamically linked module against the plugin and exports its trace', () => {
    const out = join(dir, 'trace.jsonl');
    const r = spawnSync(process.execPath, ['bin/wasm-observe.js', 'run', app, '--javy-plugin', PLUGIN_PATH, '--exporter', 'otlp-jsonl', '--out', out], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('plain output\n');
    expect(r.stderr).not.toContain('OBS');
    const exported = parseOtlpJsonl(readFileSync(out, 'utf8'));
    expect(exported.spans.map((s) => s.name)).toEqual(['cli span']);
    expect(exported.logs.map((l) => [l.body, l.severityText])).toEqual([['from the CLI', 'WARN']]);
  });

  it('without the plugin, is a usage error that says what is missing', () => {
    const r = spawnSync(process.execPath, ['bin/wasm-observe.js', 'run', app], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/dynamically linked Javy module \(it imports QuickJS from 'javy_chainlink_sdk'\): pass --javy-plugin/);
  });
});
