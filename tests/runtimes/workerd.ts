/**
 * Runs a Worker in workerd (from npm) on a loopback port: the Worker is bundled with esbuild,
 * its `.wasm` imports become Wasm modules of the Worker, and its outbound fetches may reach
 * loopback (the test collector).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { OUT, ROOT, bundle } from './prepare.ts';
import { freePort } from '../adapters/loopback.ts';

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

export class Workerd {
  url = '';
  output = '';
  private child: ChildProcess | undefined;

  /**
   * Bundles `entry` as `<name>.js`. `wasm` maps each `.wasm` file of tests/build/runtimes/ to
   * the module name the Worker imports it by (relative to `entry`'s own name); `text` are the
   * Worker's text bindings (`env.NAME`).
   */
  async start(name: string, entry: string, wasm: Record<string, string>, text: Record<string, string> = {}): Promise<this> {
    await bundle(entry, `${name}.js`, { workerd: true });
    const modules = [
      `(name = "${entry.replace(/\.ts$/, '.js')}", esModule = embed "${name}.js")`,
      ...Object.entries(wasm).map(([file, module]) => `(name = "${module}", wasm = embed "${file}")`),
    ];
    const bindings = Object.entries(text).map(([key, value]) => `(name = "${key}", text = ${JSON.stringify(value)})`);
    const config = join(OUT, `${name}.capnp`);
    await writeFile(
      config,
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = (modules = [${modules.join(', ')}], bindings = [${bindings.join(', ')}], compatibilityDate = "2025-09-01", globalOutbound = "loopback")),
    (name = "loopback", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
`,
    );
    const port = await freePort();
    this.child = spawn(join(ROOT, 'node_modules/.bin/workerd'), ['serve', config, '--socket-addr', `http=127.0.0.1:${port}`], { cwd: OUT });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d));
    this.url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (this.child.exitCode !== null) throw new Error(`workerd exited:\n${this.output}`);
      const up = await connects(port);
      if (up) return this;
      if (i > 200) throw new Error(`workerd did not listen:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise((resolve) => {
      child.on('exit', resolve);
      child.kill();
    });
  }
}
