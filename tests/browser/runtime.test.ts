/**
 * The root entry in headless Chromium, bundled as a user's bundler does (esbuild, browser
 * conditions): the runtime scenario (tests/runtimes/scenario.ts) with browser_wasi_shim, OTLP/HTTP
 * to a loopback collector on another origin. Node built-ins are left as imports in the bundle, so
 * one reaching the root entry makes the import below fail here, in the browser.
 */
import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim';
import { commands } from 'vitest/browser';
import { afterAll, describe, expect, it } from 'vitest';
import type * as Core from '../../host/index.ts';
import { fetchGuests, runScenario } from '../runtimes/scenario.ts';
import { expectCollector, expectReport } from '../runtimes/expect.ts';

describe('the root entry in Chromium', () => {
  afterAll(() => commands.stopServer());

  it('loads as a browser bundle and runs the scenario', async () => {
    const served = await commands.serveBundle('host/index.ts', 'wasm-observe.browser.js');
    const core = (await import(/* @vite-ignore */ `${served.base}/${served.file}`)) as typeof Core;
    const report = await runScenario({
      core,
      guests: await fetchGuests(served.base),
      wasi: (args, print) =>
        new WASI(args, [], [new OpenFile(new File([])), ConsoleStdout.lineBuffered(print), ConsoleStdout.lineBuffered(print)], { debug: false }),
      collector: served.base,
      protocol: 'http/json',
    });
    expectReport(report);
    expect(report.command.printed).toEqual(['200 ok', '200 1 words']);
    expectCollector((await commands.collected())!, report);
  });

  it('fails to load a root entry that imports a Node built-in', async () => {
    const served = await commands.serveBundle('tests/browser/fixtures/node-builtin.ts', 'node-builtin.browser.js');
    expect(served.bytes).toBeGreaterThan(10_000);
    // Chromium says only that the module failed to load; the bare `node:fs` specifier is why.
    await expect(import(/* @vite-ignore */ `${served.base}/${served.file}`)).rejects.toThrow(TypeError);
  });
});
