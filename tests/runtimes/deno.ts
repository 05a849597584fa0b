/**
 * The runtime scenario in Deno, with Deno's own `node:wasi`:
 *   deno run --allow-net --allow-read --allow-env tests/runtimes/deno.ts <server> <entry URL>
 */
import { WASI } from 'node:wasi';
import type * as Core from '../../host/index.ts';
import { REPORT_PREFIX, fetchGuests, runScenario } from './scenario.ts';

declare const Deno: { args: string[] };
const [base, entry] = Deno.args as [string, string];
const core = (await import(entry)) as typeof Core;

const report = await runScenario({
  core,
  guests: await fetchGuests(base),
  // Deno's WASI writes to the process's stdout and stderr; the test reads them there.
  wasi: (args) => new WASI({ version: 'preview1', args, env: {}, returnOnExit: true }),
  collector: base,
  protocol: 'http/protobuf',
});
console.log(REPORT_PREFIX + JSON.stringify(report));
