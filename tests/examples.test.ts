/** The host example runs as its comment says, and its telemetry joins the callers' traces. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOtlpJsonl, scratch } from './helpers/otlp.ts';

const tmp = scratch();
afterAll(tmp.remove);

describe('examples/host/embed.ts', () => {
  it('traces each call inside the trace its caller named', () => {
    const out = join(tmp.dir, 'trace.jsonl');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'examples/host/embed.ts', out], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('request 1 -> 10\nrequest 2 -> 20\n');
    expect(run.stderr).toContain('└─ handle');
    expect(run.stderr).not.toContain('ExperimentalWarning');
    const { spans, logs, metrics, resources } = parseOtlpJsonl(readFileSync(out, 'utf8'));
    const handles = spans.filter((s) => s.name === 'handle');
    expect(handles.map((s) => [s.traceId, s.parentSpanId, s.attributes.cache])).toEqual([
      ['4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 'miss'],
      ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 'hit'],
    ]);
    expect(logs.map((l) => [l.body, l.traceId])).toEqual([['loaded from store', '4bf92f3577b34da6a3ce929d0e0e4736']]);
    expect(metrics).toEqual([expect.objectContaining({ name: 'lookups', value: 2 })]);
    expect(resources[0]).toMatchObject({ 'service.name': 'embed-example' });
  });
});
