/**
 * The root entry in Firefox (Debian's firefox-esr, driven by puppeteer-core over WebDriver
 * BiDi): the browser bundle runs the runtime scenario in a page. Skipped on a machine without
 * Firefox, but not in CI, where .ci/run installs it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUT, buildGuests, bundle, writeAtomic } from './prepare.ts';
import { Receiver } from './receiver.ts';
import { expectCollector, expectReport } from './expect.ts';
import type { ScenarioReport } from './scenario.ts';

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

describe.skipIf(!existsSync(FIREFOX) && !process.env.CI)('the root entry in Firefox', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    await buildGuests();
    await bundle('host/index.ts', 'wasm-observe.browser.js');
    await bundle('tests/runtimes/page.ts', 'scenario-page.js');
    await writeAtomic(join(OUT, 'scenario.html'), new TextEncoder().encode('<!doctype html><script type="module" src="scenario-page.js"></script>'));
    receiver = await new Receiver().start();
  });
  afterAll(() => receiver?.stop());

  it('runs the scenario from the browser bundle', async () => {
    const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
    let result: { report?: ScenarioReport; error?: string } | undefined;
    try {
      const page = await browser.newPage();
      await page.goto(`${receiver.url}/scenario.html`);
      await page.waitForFunction(() => window.scenario !== undefined, { timeout: 30_000 });
      result = await page.evaluate(() => window.scenario);
    } finally {
      await browser.close();
    }
    expect(result?.error).toBeUndefined();
    const report = result!.report!;
    expectReport(report);
    expect(report.command.printed).toEqual(['200 ok', '200 1 words']);
    expectCollector(receiver.decoded(), report);
  });
});
