/**
 * The runtime scenario in Bun, with Bun's own `node:wasi`:
 *   bun tests/runtimes/bun.ts <server> <entry URL>
 */
import { WASI } from 'node:wasi';
import type * as Core from '../../host/index.ts';
import { REPORT_PREFIX, fetchGuests, runScenario } from './scenario.ts';

const [base, entry] = process.argv.slice(2) as [string, string];
const core = (await import(entry)) as typeof Core;

const report = await runScenario({
  core,
  guests: await fetchGuests(base),
  // Bun's WASI writes to the process's stdout and stderr; the test reads them there.
  wasi: (args) => new WASI({ version: 'preview1', args, env: {}, returnOnExit: true }),
  collector: base,
  protocol: 'http/json',
});
console.log(REPORT_PREFIX + JSON.stringify(report));
