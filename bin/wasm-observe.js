#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm install` through the `prepare` script, or `npm run build`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/host/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("wasm-observe: dist/ is missing; run 'npm run build' (npm install does it too)\n");
  process.exit(1);
}
const { main } = await import(entry.href);
process.exit(await main(process.argv.slice(2)));
