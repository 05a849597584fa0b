/**
 * The host's core must run wherever WebAssembly does (browsers, Deno, Bun, workers): nothing it
 * imports, directly or through other core files, may be a Node built-in.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const ENTRY = join(ROOT, 'host/index.ts');

function imports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^\s*(?:import|export)\b[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1]!);
}

describe('the portable core', () => {
  it('imports no Node built-in from host/index.ts down', () => {
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const specifier of imports(file)) {
        if (specifier.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'wasi'].includes(specifier)) {
          offenders.push(`${relative(ROOT, file)} imports ${specifier}`);
        } else if (specifier.startsWith('.')) {
          visit(join(dirname(file), specifier));
        }
      }
    };
    visit(ENTRY);
    expect(seen.size).toBeGreaterThan(8);
    expect(offenders).toEqual([]);
  });
});
