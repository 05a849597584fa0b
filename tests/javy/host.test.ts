// End to end without the Javy CLI: the JS runs in QuickJS; a WASI stand-in replays exactly its
// fd_writes; the host runs the stand-in unlinked and after javy-link. Same trace either way,
// and the program's own stdout/stderr text comes through untouched.
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkJavy } from '../../host/javy/link.ts';
import { runTraced, scratch, traceShape, type Exported } from '../helpers/otlp.ts';
import { BINDING, runInQuickJS } from './quickjs.ts';
import { watToWasm } from '../../host/node/load.ts';
import { handInstrumentedWat, standinWasm } from './standin.ts';

const GUEST = `import * as o from '${BINDING}';
const bytes = (s) => new Uint8Array(Array.from(s, (c) => c.charCodeAt(0)));
Javy.IO.writeSync(2, bytes('starting up\\n'));
o.withSpan('handle request', () => {
  o.spanTags({ route: '/users/:id', method: 'GET' });
  o.log(o.LogLevel.Info, 'résumé 🌍 loaded');
  o.withSpan('db query', () => {
    o.timing('db.latency', 12, 1, { table: 'users' });
  });
  Javy.IO.writeSync(2, bytes('warning: slow disk\\n'));
  o.increment('requests', 1, 'status:200');
  try { o.withSpan('render', () => { throw new Error('template missing'); }); } catch (_) {}
});
Javy.IO.writeSync(1, bytes('{"ok":true}\\n'));
`;

interface Run {
  exported: Exported;
  stdout: string;
  stderr: string;
  exitCode: number;
}

async function run(wasm: Uint8Array): Promise<Run> {
  const { dir, remove } = scratch();
  const [outPath, errPath] = [join(dir, 'stdout'), join(dir, 'stderr')];
  const [out, err] = [openSync(outPath, 'w'), openSync(errPath, 'w')];
  try {
    const exported = await runTraced(wasm, { stdio: [0, out, err], traceName: 'javy' });
    return { exported, stdout: readFileSync(outPath, 'utf8'), stderr: readFileSync(errPath, 'utf8'), exitCode: exported.result.exitCode };
  } finally {
    closeSync(out);
    closeSync(err);
    remove();
  }
}

describe('a Javy guest under the host', async () => {
  const { writes } = await runInQuickJS(GUEST);
  const unlinkedWasm = await standinWasm(writes);
  const linkedWasm = await linkJavy(unlinkedWasm);
  const unlinked = await run(unlinkedWasm);
  const linked = await run(linkedWasm);
  const handWritten = await run(await watToWasm(handInstrumentedWat(writes)));

  it('runs both ways to completion', () => {
    expect(unlinked.exitCode).toBe(0);
    expect(linked.exitCode).toBe(0);
  });

  it('gives the same trace linked and unlinked', () => {
    expect(traceShape(linked.exported)).toEqual(traceShape(unlinked.exported));
  });

  it('behaves like a hand-instrumented module calling the Observe API directly', () => {
    expect(traceShape(linked.exported)).toEqual(traceShape(handWritten.exported));
    expect(handWritten.stderr).toBe(linked.stderr);
  });

  it('turns the records into the expected spans, logs and metrics', () => {
    const s = traceShape(unlinked.exported);
    const parents = Object.fromEntries(s.spans.map((x) => [x.name, x.parent]));
    expect(parents).toEqual({ 'handle request': undefined, 'db query': 'handle request', render: 'handle request' });
    const handle = s.spans.find((x) => x.name === 'handle request')!;
    expect(handle.attributes).toMatchObject({ route: '/users/:id', method: 'GET' });
    expect(s.logs).toEqual(
      expect.arrayContaining([
        { body: 'résumé 🌍 loaded', severity: 9, span: 'handle request' },
        { body: 'Error: template missing', severity: 17, span: 'render' },
      ]),
    );
    expect(s.metrics.map((m) => m.name)).toEqual(expect.arrayContaining(['db.latency', 'requests']));
  });

  it('passes the ordinary stderr and stdout text through, and nothing else', () => {
    for (const r of [unlinked, linked]) {
      expect(r.stderr).toBe('starting up\nwarning: slow disk\n');
      expect(r.stdout).toBe('{"ok":true}\n');
    }
  });
});
