/**
 * The runtime scenario in Deno or Bun, with the runtime's own `node:wasi`:
 *   deno run --allow-net --allow-read --allow-env tests/runtimes/deno-bun.ts <server> <entry URL> <OTLP protocol>
 *   bun tests/runtimes/deno-bun.ts <server> <entry URL> <OTLP protocol>
 */
import { WASI } from 'node:wasi';
import type * as Core from '../../host/index.ts';
import { REPORT_PREFIX, fetchGuests, runScenario } from './scenario.ts';

// Deno 2 has Node's `process` as a global too.
const [base, entry, protocol] = process.argv.slice(2) as [string, string, 'http/json' | 'http/protobuf'];
const core = (await import(entry)) as typeof Core;

const report = await runScenario({
  core,
  guests: await fetchGuests(base),
  // The runtime's WASI writes to the process's stdout and stderr; the test reads them there.
  wasi: (args) => new WASI({ version: 'preview1', args, env: {}, returnOnExit: true }),
  collector: base,
  protocol,
});
console.log(REPORT_PREFIX + JSON.stringify(report));
