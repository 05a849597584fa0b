/**
 * The root entry, as built into dist/, in Deno and Bun (both from npm): the runtime scenario
 * (tests/runtimes/scenario.ts) with each runtime's own `node:wasi`, OTLP to a loopback receiver.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, buildGuests } from './prepare.ts';
import { Receiver } from './receiver.ts';
import { expectCollector, expectReport, reportFrom } from './expect.ts';

const ENTRY = pathToFileURL(join(ROOT, 'dist/host/index.js')).href;
const BIN = join(ROOT, 'node_modules/.bin');

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// One script for both; each runtime sends OTLP in its own encoding.
const SCRIPT = 'tests/runtimes/deno-bun.ts';
const RUNTIMES = {
  deno: (base: string) => run(join(BIN, 'deno'), ['run', '--allow-net', '--allow-read', '--allow-env', '--no-prompt', SCRIPT, base, ENTRY, 'http/protobuf']),
  bun: (base: string) => run(join(BIN, 'bun'), [SCRIPT, base, ENTRY, 'http/json']),
};

describe.each(Object.entries(RUNTIMES))('the root entry in %s', (name, start) => {
  let receiver: Receiver;
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/host/index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    await buildGuests();
    receiver = await new Receiver().start();
  });
  afterAll(() => receiver?.stop());

  it('traces a reactor inside the host request, a trap, the AssemblyScript command, and sends OTLP', async () => {
    const { code, stdout, stderr } = await start(receiver.url);
    expect(code, `${name} failed:\n${stderr}`).toBe(0);
    const report = reportFrom(stdout);
    expectReport(report);
    // The runtime's WASI wrote the guest's output to the process's stdout.
    expect(stdout).toContain('200 ok');
    expectCollector(receiver.decoded(), report);
  });
});
