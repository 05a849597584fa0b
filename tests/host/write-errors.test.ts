/**
 * Library users see a file that could not be written: in `exportStats()` as `writeError` (path
 * and reason), and as a `WriteError` from `shutdown()`, after every exporter has finished.
 */
import { describe, expect, it } from 'vitest';
import { WriteError } from '../../host/index.ts';
import { OtlpJsonlExporter } from '../../host/exporters/otlp-jsonl.ts';
import { DatadogExporter } from '../../host/exporters/datadog.ts';
import { StdoutExporter } from '../../host/exporters/stdout.ts';
import { API_IMPORTS, Guest } from '../helpers/wat.ts';
import { watToWasm } from '../../host/node/load.ts';
import { runGuest } from '../adapters/loopback.ts';

async function guest(): Promise<Uint8Array> {
  const g = new Guest();
  return watToWasm(g.module(API_IMPORTS, `(call $enter ${g.str('a')}) (call $log (i32.const 3) ${g.str('hi')}) (call $exit)`));
}

describe('write errors for library users', () => {
  it('a full device: writeError in exportStats, drops counted, shutdown rejects with WriteError', async () => {
    const jsonl = new OtlpJsonlExporter({ path: '/dev/full' });
    const datadog = new DatadogExporter({ env: { DD_TRACE_AGENT_URL: 'http://127.0.0.1:9' }, logs: { path: '/dev/full' }, retry: { deadlineMs: 50 } });
    const tree = new StdoutExporter({ write: () => {} });
    const { observer } = await runGuest([jsonl, datadog, tree], { wasm: await guest(), invoke: 'run', observer: { exportTimeoutMillis: 2000 } });
    const shutdown = observer.shutdown();
    await expect(shutdown).rejects.toBeInstanceOf(WriteError);
    await expect(shutdown).rejects.toThrow(/otlp-jsonl: cannot write \/dev\/full: ENOSPC/);
    const stats = observer.exportStats();
    expect(stats['otlp-jsonl']).toEqual({ exported: 0, dropped: 2, writeError: expect.stringMatching(/^\/dev\/full: ENOSPC/) });
    expect(stats.datadog!.writeError).toMatch(/^\/dev\/full: ENOSPC/);
    expect(stats.stdout!.writeError).toBeUndefined();
  });

  it('a missing directory is reported from the start, and nothing is written anywhere else', async () => {
    const jsonl = new OtlpJsonlExporter({ path: '/no/such/dir/out.jsonl' });
    expect(jsonl.stats().writeError).toMatch(/^\/no\/such\/dir\/out\.jsonl: ENOENT/);
    const { observer } = await runGuest([jsonl], { wasm: await guest(), invoke: 'run' });
    await expect(observer.shutdown()).rejects.toThrow(WriteError);
    expect(jsonl.stats()).toMatchObject({ exported: 0, dropped: 2 });
  });
});
