/**
 * The real Etsy statsd daemon (npm `statsd` 0.9), started on loopback UDP with no backend and a
 * flush interval longer than any test, so what it received stays queryable on its management
 * port (`counters`, `gauges`, `timers`, `sets` are printed with util.inspect).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { runInNewContext } from 'node:vm';
import { freePort } from './loopback.ts';

const STATS_JS = createRequire(import.meta.url).resolve('statsd/stats.js');

export class StatsdDaemon {
  port = 0;
  mgmtPort = 0;
  private child: ChildProcess | undefined;

  async start(): Promise<this> {
    this.port = await freePort('udp');
    this.mgmtPort = await freePort('tcp');
    const dir = mkdtempSync(join(tmpdir(), 'statsd-'));
    const config = join(dir, 'config.js');
    const settings = { port: this.port, address: '127.0.0.1', mgmt_address: '127.0.0.1', mgmt_port: this.mgmtPort, backends: [], flushInterval: 3_600_000 };
    writeFileSync(config, `(${JSON.stringify(settings)})\n`);
    this.child = spawn(process.execPath, [STATS_JS, config], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if ((await this.command('health').catch(() => '')).includes('health: up')) return this;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('statsd did not start');
  }

  /** One management command's answer as text. */
  command(cmd: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(this.mgmtPort, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
        if (cmd === 'health' ? text.includes('\n') : text.includes('END')) {
          socket.end();
          resolve(text);
        }
      });
      socket.on('error', reject);
      socket.write(`${cmd}\n`);
    });
  }

  /** `counters`, `gauges` or `timers` as an object (the daemon prints them with util.inspect). */
  async read(what: 'counters' | 'gauges' | 'timers'): Promise<Record<string, unknown>> {
    const text = await this.command(what);
    return runInNewContext(`(${text.slice(0, text.lastIndexOf('END'))})`) as Record<string, unknown>;
  }

  /** Polls until `ready` holds (UDP gives no receipt), then returns what the daemon shows. */
  async until(what: 'counters' | 'gauges' | 'timers', ready: (values: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    for (let i = 0; i < 60; i++) {
      const values = await this.read(what);
      if (ready(values)) return values;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`statsd never showed the expected ${what}: ${JSON.stringify(await this.read(what))}`);
  }

  stop(): void {
    this.child?.kill();
  }
}
