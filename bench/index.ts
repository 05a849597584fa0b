/** `npm run bench`: every benchmark of the kit, one after another. */
import { hostBench } from './host.bench.ts';
import { guestBench } from './guest.bench.ts';
import { instrumentBench } from './instrument.bench.ts';
import { leavesBench } from './leaves.bench.ts';
import { startupBench } from './startup.bench.ts';
import { javyBench } from './javy.bench.ts';
import { cliBench } from './cli.bench.ts';

await hostBench();
console.log();
await guestBench();
console.log();
await instrumentBench();
console.log();
await leavesBench();
console.log();
await startupBench();
console.log();
await javyBench();
console.log();
await cliBench();
