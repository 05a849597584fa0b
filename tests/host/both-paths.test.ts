/**
 * The same guests through the library and through the CLI give the same telemetry: every
 * namespace, the legacy i64 ABI, hostile input and a trap.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_IMPORTS, Guest, INSTRUMENT_IMPORTS, LEGACY_IMPORTS } from '../helpers/wat.ts';
import { parseOtlpJsonl, scratch, traceModule, type Exported } from '../helpers/otlp.ts';

const tmp = scratch();
afterAll(tmp.remove);

function guests(): Record<string, string> {
  const api = new Guest();
  const legacy = new Guest('i64');
  const hostile = new Guest();
  const trap = new Guest();
  return {
    current: api.module(
      API_IMPORTS,
      `(call $enter ${api.str('outer')}) (call $tags ${api.str('k:v')}) (call $log (i32.const 2) ${api.str('careful')})
       (call $metric (i32.const 1) ${api.str('n:2|c')}) (call $enter ${api.str('inner')}) (call $exit) (call $exit)`,
    ),
    legacy: legacy.module(
      LEGACY_IMPORTS,
      `(call $enter ${legacy.str('outer')}) (call $tags ${legacy.str('k:v')}) (call $log (i32.const 3) ${legacy.str('hello')})
       (call $metric (i32.const 1) ${legacy.str('n:1|c')}) (call $exit)`,
    ),
    instrument: `(module ${INSTRUMENT_IMPORTS} (memory (export "memory") 1)
      (func $leaf (call $fenter (i32.const 4)) (call $grow (i32.const 1)) (drop (memory.grow (i32.const 1))) (call $fexit (i32.const 4)))
      (func $run (export "run") (call $fenter (i32.const 5)) (call $leaf) (call $fexit (i32.const 5))))`,
    hostile: hostile.module(
      API_IMPORTS,
      `(call $log (i32.const 3) ${hostile.str('first')}) (call $enter (i32.const 65530) (i32.const 100))
       (call $log (i32.const 3) (i32.const -8) (i32.const 4)) (call $tags ${hostile.str(new Uint8Array([0x6b, 0x3a, 0xff]))})
       (call $log (i32.const 9) ${hostile.str('odd level')}) (call $metric (i32.const 7) ${hostile.str('raw')})
       (call $exit) (call $exit) (call $log (i32.const 1) ${hostile.str('last')})`,
    ),
    trap: trap.module(API_IMPORTS, `(call $enter ${trap.str('doomed')}) (call $log (i32.const 3) ${trap.str('before')}) unreachable`),
  };
}

/** What should agree between the two paths (ids and times differ by nature). */
function shape(out: Exported) {
  return {
    spans: out.spans.map((s) => [s.name, s.attributes, s.status.code ?? 0]).sort(),
    logs: out.logs.map((l) => [l.body, l.severityNumber, l.attributes]).sort(),
    metrics: out.metrics.map((m) => [m.name, m.value]).sort(),
  };
}

describe('library and CLI agree', () => {
  it.each(Object.entries(guests()))('%s guest', async (name, wat) => {
    const library = await traceModule(wat, (i) => (i.exports.run as () => void)(), { traceName: 'invoke run', minSpanDurationMicros: 0 });
    const path = join(tmp.dir, `${name}.wat`);
    const out = join(tmp.dir, `${name}.jsonl`);
    writeFileSync(path, wat);
    const cli = spawnSync(process.execPath, ['bin/wasm-observe.js', 'run', path, '--invoke', 'run', '--min-span-us', '0', '--exporter', 'otlp-jsonl', '--out', out], {
      encoding: 'utf8',
    });
    expect(cli.status).toBe(name === 'trap' ? 134 : 0);
    expect(shape(parseOtlpJsonl(readFileSync(out, 'utf8')))).toEqual(shape(library));
    expect(library.spans.length + library.logs.length).toBeGreaterThan(0);
  });
});
