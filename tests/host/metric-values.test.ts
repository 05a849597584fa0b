/**
 * No metric value is lost silently: what OpenTelemetry cannot take is counted as dropped with the
 * reason, and an argument declared wider than the ABI says still means what it says.
 */
import { describe, expect, it } from 'vitest';
import { API_MODULE } from '../../host/abi/spec.ts';
import { API_IMPORTS, Guest } from '../helpers/wat.ts';
import { traceModule } from '../helpers/otlp.ts';

const run = (i: WebAssembly.Instance) => (i.exports.run as () => void)();

describe('metric values', () => {
  it('a negative histogram value is counted as dropped with its reason; the others are exported', async () => {
    const g = new Guest();
    const payload = ['latency:-5|d', 'latency:7|d', 'wait:-1|ms', 'depth:-3|g', 'delta:-2|c'].join('\n');
    const out = await traceModule(g.module(API_IMPORTS, `(call $metric (i32.const 1) ${g.str(payload)})`), run);
    const points = out.metrics.map((m) => [m.name, m.kind, m.count ?? m.value, m.sum]);
    expect(points).toEqual([
      ['latency', 'histogram', 1, 7],
      ['depth', 'gauge', -3, undefined],
      ['delta', 'sum', -2, undefined],
    ]);
    const stats = out.observer.exportStats()['otlp-jsonl']!;
    expect(stats.dropped).toBe(2);
    expect(stats.lastError).toBe("negative value for histogram 'wait' (OpenTelemetry histograms take none)");
  });

  it('a metric format and a log level declared as i64 mean the same as i32 ones', async () => {
    const g = new Guest();
    const imports = `(import "${API_MODULE}" "metric" (func $metric (param i64 i32 i32)))
      (import "${API_MODULE}" "log" (func $log (param i64 i32 i32)))`;
    const out = await traceModule(
      g.module(imports, `(call $metric (i64.const 1) ${g.str('hits:2|c')}) (call $log (i64.const 2) ${g.str('careful')}) (call $metric (i64.const 4294967297) ${g.str('odd')})`),
      run,
    );
    expect(out.metrics.map((m) => [m.name, m.value])).toEqual([['hits', 2]]);
    expect(out.logs.find((l) => l.body === 'careful')).toMatchObject({ severityText: 'WARN', severityNumber: 13 });
    // A 64-bit format that is not 1 stays unknown (it is not cut down to 32 bits).
    expect(out.observer.anomalies()).toEqual({ 'unknown-metric-format': 1 });
    expect(out.logs.find((l) => l.body === 'odd')?.attributes).toMatchObject({ 'wasm_observe.metric.format': 4294967297 });
  });
});
