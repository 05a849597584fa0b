#!/usr/bin/env node
// The kit ships TypeScript sources; tsx compiles them on load.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../host/cli/main.ts');
process.exit(await main(process.argv.slice(2)));
