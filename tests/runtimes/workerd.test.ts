/**
 * The root entry in workerd, Cloudflare's Workers runtime (from npm): the runtime scenario
 * (tests/runtimes/scenario.ts) inside one request of a Worker, WASI from browser_wasi_shim, OTLP
 * to a loopback receiver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUESTS, buildGuests } from './prepare.ts';
import { Receiver } from './receiver.ts';
import { Workerd } from './workerd.ts';
import { expectCollector, expectReport } from './expect.ts';
import type { ScenarioReport } from './scenario.ts';

describe('the root entry in workerd', () => {
  let receiver: Receiver;
  let workerd: Workerd;
  beforeAll(async () => {
    await buildGuests();
    receiver = await new Receiver().start();
    const modules = Object.fromEntries(GUESTS.map((file) => [file, `tests/runtimes/${file}`]));
    workerd = await new Workerd().start('scenario-worker', 'tests/runtimes/worker.ts', modules);
  });
  afterAll(async () => {
    await workerd?.stop();
    await receiver?.stop();
  });

  it('traces a reactor inside the request, a trap, the AssemblyScript command, and sends OTLP', async () => {
    const response = await fetch(`${workerd.url}/?collector=${encodeURIComponent(receiver.url)}`);
    const text = await response.text();
    expect(response.status, `${text}\n${workerd.output}`).toBe(200);
    const report = JSON.parse(text) as ScenarioReport;
    expectReport(report);
    expect(report.command.printed).toEqual(['200 ok', '200 1 words']);
    expectCollector(receiver.decoded(), report);
  });
});
