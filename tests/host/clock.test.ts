/**
 * The coarse clock: logs, metrics, tags and memory growth take the time of the last span event
 * instead of reading the clock. Span events always read it.
 */
import { describe, expect, it } from 'vitest';
import { Observer, type ClockMode } from '../../host/index.ts';
import { watToWasm } from '../../host/node/load.ts';
import { API_IMPORTS, Guest } from '../helpers/wat.ts';
import { capture } from '../helpers/capture.ts';

async function run(clock: ClockMode) {
  const g = new Guest();
  const spin = '(local.set $i (i32.const 200000)) (loop $l (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))';
  const wat = g.module(
    API_IMPORTS,
    `(local $i i32)
     (call $log (i32.const 3) ${g.str('before any span')})
     ${spin}
     (call $enter ${g.str('work')})
     ${spin}
     (call $log (i32.const 3) ${g.str('inside')})
     ${spin}
     (call $metric (i32.const 1) ${g.str('n:1|c')})
     (call $exit)
     ${spin}
     (call $log (i32.const 3) ${g.str('after')})`,
  );
  const sink = capture();
  const { spans, logs, metrics } = sink;
  const observer = new Observer({ exporters: [sink], clock });
  const instance = await observer.instantiate(await WebAssembly.compile((await watToWasm(wat)) as Uint8Array<ArrayBuffer>));
  const start = performance.timeOrigin + performance.now();
  await observer.trace('clock', () => (instance.exports.run as () => void)());
  const ms = ([s, ns]: [number, number]) => s * 1000 + ns / 1e6;
  const logTime = (body: string) => ms(logs.find((l) => l.body === body)!.hrTime as [number, number]);
  return { span: spans[0]!, logTime, metricTime: metrics[0]!.time, start, ms };
}

describe('the clock', () => {
  it('coarse: logs and metrics carry the last span event’s time; the first ones the trace’s start', async () => {
    const { span, logTime, metricTime, start, ms } = await run('coarse');
    const enter = ms(span.startTime as [number, number]);
    const exit = ms(span.endTime as [number, number]);
    expect(exit).toBeGreaterThan(enter);
    expect(logTime('inside')).toBeCloseTo(enter, 3);
    expect(metricTime).toBeCloseTo(enter, 3);
    expect(logTime('after')).toBeCloseTo(exit, 3);
    expect(logTime('before any span')).toBeGreaterThanOrEqual(start);
    expect(logTime('before any span')).toBeLessThan(enter);
  });

  it('precise: every event reads the clock', async () => {
    const { span, logTime, metricTime, ms } = await run('precise');
    const enter = ms(span.startTime as [number, number]);
    const exit = ms(span.endTime as [number, number]);
    expect(logTime('inside')).toBeGreaterThan(enter);
    expect(metricTime).toBeGreaterThan(logTime('inside'));
    expect(logTime('after')).toBeGreaterThan(exit);
  });
});
