/**
 * The same guest built with each AssemblyScript runtime, as a plain module and as a WASI
 * command (wasi-shim), produces the same trace under the host.
 */
import { describe, expect, it } from 'vitest';
import { SEVERITY_NUMBER, LogLevel } from '../../host/abi/spec.ts';
import { only, runTraced, traceModule, type Exported } from '../helpers/otlp.ts';
import { compile, ENV, WASI_COMMAND } from './asc.ts';

const RUNTIMES = ['stub', 'minimal', 'incremental'] as const;

function expectWorkloadTrace(run: Exported): void {
  const outer = only(run.spans, 'work\u00e9 \u65e5\u672c');
  const step = only(run.spans, 'step');
  expect(step.parentSpanId).toBe(outer.spanId);
  // @span closes the span on the early return and on the normal one.
  const classify = run.spans.filter((s) => s.name === 'classify');
  expect(classify).toHaveLength(2);
  for (const s of classify) expect(s.parentSpanId).toBe(step.spanId);
  expect(outer.attributes).toMatchObject({ job: 'import', tenant: 'acme', region: 'eu-west', done: 'yes' });

  const turtle = run.logs.find((l) => l.body === 'slow step \u{1F422}');
  expect(turtle).toMatchObject({ severityNumber: SEVERITY_NUMBER[LogLevel.Warn], spanId: step.spanId });
  expect(run.logs.find((l) => l.body === 'classifying 7')).toMatchObject({ severityNumber: SEVERITY_NUMBER[LogLevel.Debug], spanId: classify[1]!.spanId });
  expect(run.logs.find((l) => l.body === 'x'.repeat(3000))).toMatchObject({ severityNumber: SEVERITY_NUMBER[LogLevel.Error], spanId: outer.spanId });

  const value = (name: string) => run.metrics.filter((m) => m.name === name).map((m) => m.value ?? m.sum);
  expect(value('jobs')).toEqual([2]);
  expect(run.metrics.find((m) => m.name === 'jobs')?.attributes).toMatchObject({ kind: 'import' });
  expect(value('queue')).toEqual([12]);
  expect(value('step.ms')).toEqual([3.5]);
  expect(value('raw')).toEqual([4]);
}

describe.each(RUNTIMES)('workload guest, %s runtime', (runtime) => {
  it('as a plain module', async () => {
    const binary = await compile(['tests/assembly/guests/workload.ts', '--runtime', runtime, '-O']);
    const run = await traceModule(binary, (instance) => (instance.exports.run as () => void)(), { imports: ENV });
    expect(run.result).toBeUndefined();
    expectWorkloadTrace(run);
  });

  it('as a WASI command', async () => {
    const binary = await compile([...WASI_COMMAND, 'tests/assembly/guests/command.ts', '--runtime', runtime, '-O']);
    expect(WebAssembly.Module.exports(new WebAssembly.Module(binary as Uint8Array<ArrayBuffer>)).map((e) => e.name)).toContain('_start');
    const run = await runTraced(binary);
    expect(run.result.exitCode).toBe(0);
    expectWorkloadTrace(run);
  });
});
