import { describe, expect, it } from 'vitest';
import { Guest, INSTRUMENT_IMPORTS, LEGACY_IMPORTS, LEGACY_INSTRUMENT_IMPORTS, API_IMPORTS } from '../helpers/wat.ts';
import { only, traceModule } from '../helpers/otlp.ts';

const run = (i: WebAssembly.Instance) => (i.exports.run as () => void)();

describe('legacy API (dylibso_observe, i64 pointers)', () => {
  it('delivers spans, tags, logs and metrics like the current API', async () => {
    const g = new Guest('i64');
    const wat = g.module(
      LEGACY_IMPORTS,
      `(call $enter ${g.str('outer')})
       (call $tags ${g.str('k:v')})
       (call $log (i32.const 2) ${g.str('careful')})
       (call $metric (i32.const 1) ${g.str('n:3|c')})
       (call $enter ${g.str('inner')})
       (call $exit)
       (call $exit)`,
    );
    const out = await traceModule(wat, run);
    const outer = only(out.spans, 'outer');
    expect(only(out.spans, 'inner').parentSpanId).toBe(outer.spanId);
    expect(outer.attributes).toEqual({ k: 'v' });
    expect(out.logs).toEqual([expect.objectContaining({ body: 'careful', severityNumber: 13, spanId: outer.spanId })]);
    expect(out.metrics).toEqual([expect.objectContaining({ name: 'n', value: 3 })]);
  });
});

/** Functions calling each other through the instrument API, named by the name section. */
function instrumented(imports: string, body = ''): string {
  return `(module ${imports} ${API_IMPORTS}
  (memory (export "memory") 1)
  (data (i32.const 0) "manual")
  (global $fuel (mut i32) (i32.const 0))
  (export "wasm_instr_version_major" (global $fuel))
  (func $spin (param $n i32)
    (loop $l (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br_if $l (i32.gt_s (local.get $n) (i32.const 0)))))
  (func $_ZN4core3fmt5write17h0123456789abcdefE
    (call $fenter (i32.const 9))
    (call $grow (i32.const 2))
    (drop (memory.grow (i32.const 2)))
    (call $fexit (i32.const 9)))
  (func $_Z5leafsi (param i32)
    (call $fenter (i32.const 10))
    (call $enter (i32.const 0) (i32.const 6))
    (call $log (i32.const 3) (i32.const 0) (i32.const 6))
    (call $exit)
    (call $fexit (i32.const 10)))
  (func $main (export "run")
    (call $fenter (i32.const 11))
    (call $_ZN4core3fmt5write17h0123456789abcdefE)
    (call $_Z5leafsi (i32.const 1))
    ${body}
    (call $fexit (i32.const 11))))`;
}

describe('instrument API', () => {
  it.each([
    ['current names', INSTRUMENT_IMPORTS],
    ['legacy instrument_* names', LEGACY_INSTRUMENT_IMPORTS],
  ])('names function spans from the name section, demangled (%s)', async (_, imports) => {
    const out = await traceModule(instrumented(imports), run, { minSpanDurationMicros: 0 });
    const main = only(out.spans, 'main');
    const write = only(out.spans, 'core::fmt::write');
    const leaf = only(out.spans, 'leafs(int)');
    expect(write.parentSpanId).toBe(main.spanId);
    expect(leaf.parentSpanId).toBe(main.spanId);
    expect(only(out.spans, 'manual').parentSpanId).toBe(leaf.spanId);
    expect(write.attributes).toMatchObject({ allocation: 2, 'allocation.bytes': 2 * 65536 });
  });

  it('drops short function spans only, moving what they held to the nearest kept ancestor', async () => {
    // `main` spins long enough to be kept; its quick callees are dropped.
    const out = await traceModule(instrumented(INSTRUMENT_IMPORTS, '(call $spin (i32.const 3000000))'), run, {
      minSpanDurationMicros: 1000,
    });
    const main = only(out.spans, 'main');
    expect(out.spans.map((s) => s.name).sort()).toEqual(['main', 'manual']);
    expect(only(out.spans, 'manual').parentSpanId).toBe(main.spanId);
    expect(main.attributes).toMatchObject({ allocation: 2 });
    expect(out.logs).toEqual([expect.objectContaining({ body: 'manual' })]);
  });

  it('drops nothing but function spans even when every span is short', async () => {
    const out = await traceModule(instrumented(INSTRUMENT_IMPORTS), run, { minSpanDurationMicros: 1e9 });
    expect(out.spans.map((s) => s.name)).toEqual(['manual']);
    expect(out.spans[0]!.parentSpanId).toBeUndefined();
  });
});
