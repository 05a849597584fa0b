/**
 * The runtime scenario as a page script, for browsers driven from Node (Firefox through
 * puppeteer-core): it loads the root entry's browser bundle from beside itself, runs the
 * scenario and leaves the report (or the error) on `window.scenario`.
 */
import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim';
import type * as Core from '../../host/index.ts';
import { fetchGuests, runScenario, type ScenarioReport } from './scenario.ts';

declare global {
  interface Window {
    scenario?: { report?: ScenarioReport; error?: string };
  }
}

const base = location.origin;
try {
  const core = (await import(/* @vite-ignore */ `${base}/wasm-observe.browser.js`)) as typeof Core;
  const report = await runScenario({
    core,
    guests: await fetchGuests(base),
    wasi: (args, print) => new WASI(args, [], [new OpenFile(new File([])), ConsoleStdout.lineBuffered(print), ConsoleStdout.lineBuffered(print)], { debug: false }),
    collector: base,
    protocol: 'http/json',
  });
  window.scenario = { report };
} catch (err) {
  window.scenario = { error: String((err as Error)?.stack ?? err) };
}
