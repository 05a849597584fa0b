/** `npm run bench`: every benchmark of the kit, one after another. */
import { hostBench } from './host.bench.ts';

await hostBench();
