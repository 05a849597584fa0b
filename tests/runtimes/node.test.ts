/**
 * The runtime scenario (tests/runtimes/scenario.ts) in Node itself, from dist/ as a user's
 * program imports it, with `node:wasi`: the baseline the other runtimes are compared to.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WASI } from 'node:wasi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Core from '../../host/index.ts';
import { ROOT, buildGuests } from './prepare.ts';
import { Receiver } from './receiver.ts';
import { fetchGuests, runScenario } from './scenario.ts';
import { expectCollector, expectReport } from './expect.ts';

describe('the root entry in Node', () => {
  let receiver: Receiver;
  const dir = mkdtempSync(join(tmpdir(), 'wasm-observe-node-'));
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/host/index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    await buildGuests();
    receiver = await new Receiver().start();
  });
  afterAll(async () => {
    await receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('traces a reactor inside the host request, a trap, the AssemblyScript command, and sends OTLP', async () => {
    const core = (await import(pathToFileURL(join(ROOT, 'dist/host/index.js')).href)) as typeof Core;
    const out = join(dir, 'stdout');
    const fd = openSync(out, 'w');
    try {
      const report = await runScenario({
        core,
        guests: await fetchGuests(receiver.url),
        wasi: (args) => new WASI({ version: 'preview1', args, env: {}, returnOnExit: true, stdout: fd, stderr: fd }),
        collector: receiver.url,
        protocol: 'http/protobuf',
      });
      expectReport(report);
      expectCollector(receiver.decoded(), report);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(out, 'utf8')).toBe('200 ok\n200 1 words\n');
  });
});
