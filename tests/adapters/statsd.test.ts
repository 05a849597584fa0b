/**
 * The `statsd` forwarder against the real Etsy statsd daemon, and its DogStatsD dialect against
 * a loopback UDP socket that shows the exact lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watToWasm } from '../../host/node/load.ts';
import { StatsdExporter } from '../../host/exporters/statsd.ts';
import { API_IMPORTS, Guest } from '../helpers/wat.ts';
import { freePort, runGuest, udpListener } from './loopback.ts';
import { StatsdDaemon } from './statsd-daemon.ts';

const PAYLOAD = [
  'jobs.done:3|c|#queue:high',
  'jobs.done:1|c|@0.5',
  'queue.depth:10|g',
  'queue.depth:-4|g',
  'work.time:12.5|ms',
  'work.time:7.5|ms',
  'payload.size:512|h',
  'ok:aaaaa',
].join('\n');

async function metricsGuest(): Promise<Uint8Array> {
  const g = new Guest();
  const body = `(call $enter ${g.str('job')}) (call $metric (i32.const 1) ${g.str(PAYLOAD)}) (call $exit)`;
  return watToWasm(g.module(API_IMPORTS, body));
}

describe('statsd exporter', () => {
  const daemon = new StatsdDaemon();
  beforeAll(() => daemon.start());
  afterAll(() => daemon.stop());

  it('delivers counters, gauges and timers to the Etsy statsd daemon', async () => {
    const statsd = new StatsdExporter({ url: `udp://127.0.0.1:${daemon.port}` });
    const { observer } = await runGuest([statsd], { wasm: await metricsGuest(), invoke: 'run' });
    await observer.shutdown();

    const counters = await daemon.until('counters', (c) => c['jobs.done'] !== undefined);
    expect(counters['jobs.done;queue=high']).toBe(3);
    expect(counters['jobs.done']).toBe(2); // 1 sampled at 0.5, scaled by the daemon
    const gauges = await daemon.until('gauges', (g) => g['queue.depth'] !== undefined);
    expect(gauges['queue.depth']).toBe(6); // 10, then a -4 delta
    const timers = await daemon.until('timers', (t) => t['payload.size'] !== undefined);
    expect(timers['work.time']).toEqual([12.5, 7.5]);
    expect(timers['payload.size']).toEqual([512]); // h is sent as ms: Etsy statsd would count it
    expect(statsd.stats()).toEqual({ exported: 7, dropped: 0 });
    // The line that is not statsd was never forwarded: the daemon saw no bad line.
    expect((await daemon.read('counters'))['statsd.bad_lines_seen']).toBe(0);
  });

  it('speaks DogStatsD with constant tags and the guest span as trace tags', async () => {
    const socket = await udpListener();
    const statsd = new StatsdExporter({ url: socket.url, dialect: 'dogstatsd', tags: ['env:test'], maxPacketBytes: 200 });
    const { observer } = await runGuest([statsd], { wasm: await metricsGuest(), invoke: 'run' });
    await observer.shutdown();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await socket.close();

    expect(socket.packets.length).toBeGreaterThan(1); // packed into packets of at most 200 bytes
    for (const packet of socket.packets) expect(Buffer.byteLength(packet)).toBeLessThanOrEqual(200);
    const lines = socket.lines();
    expect(lines).toHaveLength(7);
    const span = /trace_id:([0-9a-f]{32}),span_id:([0-9a-f]{16})$/.exec(lines[0]!);
    expect(span).not.toBeNull();
    expect(lines[0]).toBe(`jobs.done:3|c|#queue:high,env:test,trace_id:${span![1]},span_id:${span![2]}`);
    expect(lines[3]).toMatch(/^queue\.depth:-4\|g\|#env:test,trace_id:/);
    expect(lines[6]).toMatch(/^payload\.size:512\|h\|#env:test,/);
  });

  it('counts what it could not send when no daemon listens', async () => {
    const statsd = new StatsdExporter({ url: `udp://127.0.0.1:${await freePort('udp')}` });
    for (let i = 0; i < 3; i++) {
      const { observer, result } = await runGuest([statsd], { wasm: await metricsGuest(), invoke: 'run' });
      expect(result.exitCode).toBe(0);
      await observer.forceFlush();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await statsd.shutdown();
    // Each packet leaves before its port-unreachable answer, which then takes its 7 lines back.
    expect(statsd.stats()).toEqual({ exported: 0, dropped: 3 * 7, lastError: expect.stringMatching(/ECONNREFUSED/) });
  });
});
