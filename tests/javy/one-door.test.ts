// One door for guest input: a Javy record and the import it stands for reach the same handler,
// so the same hostile payload gives the same telemetry and the same anomalies whether it
// arrives as a `dylibso:observe/api` call, a binary record or a text record (with console's
// "\n"), unlinked or through javy-link.
import { describe, expect, it } from 'vitest';
import { HEADER_SIZE, MAGIC, OPS, VERSION } from '../../bindings/javy/format.js';
import { linkJavy } from '../../host/javy/link.ts';
import { runTraced, type Exported } from '../helpers/otlp.ts';
import { API_IMPORTS } from '../helpers/wat.ts';
import { watToWasm } from '../../host/node/load.ts';

type Op = keyof typeof OPS;
interface Call {
  op: Op;
  arg?: number;
  payload?: Uint8Array;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const bytes = (...b: number[]) => Uint8Array.from(b);
const MAX_STRING = 32;

/** Hostile input of every kind a record can carry (a record cannot point outside memory). */
const CALLS: Call[] = [
  { op: 'span-exit' }, // nothing open
  { op: 'span-enter', payload: bytes(0x66, 0xff, 0xfe, 0x6f) }, // invalid UTF-8
  { op: 'span-tags', payload: utf8('no-colon,k:v,é:\u{1f30d}') },
  { op: 'span-tags', payload: bytes(0x6b, 0x3a, 0x80) }, // a lone continuation byte
  { op: 'log', arg: 0, payload: utf8('unknown level') },
  { op: 'log', arg: 3, payload: utf8('x'.repeat(MAX_STRING + 20)) }, // over the cap
  { op: 'log', arg: 1, payload: utf8(`${'é'.repeat(MAX_STRING / 2 - 1)}ab`) }, // the cap cuts a character
  { op: 'metric', arg: 7, payload: utf8('unknown:1|c') },
  { op: 'metric', arg: 1, payload: utf8('ok:aaaaa') }, // not statsd
  { op: 'metric', arg: 1, payload: new Uint8Array(0) },
  { op: 'span-enter', payload: new Uint8Array(0) }, // empty name, left open
];

function binaryRecord(c: Call): Uint8Array {
  const payload = c.payload ?? new Uint8Array(0);
  const out = new Uint8Array(HEADER_SIZE + payload.length);
  out.set(MAGIC);
  out.set([VERSION, OPS[c.op], c.arg ?? 0], 4);
  new DataView(out.buffer).setUint32(7, payload.length, true);
  out.set(payload, HEADER_SIZE);
  return out;
}

function textRecord(c: Call): Uint8Array {
  const payload = c.payload ?? new Uint8Array(0);
  const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');
  const header = utf8(`\0OBSt1${OPS[c.op]}${hex(c.arg ?? 0, 2)}${hex(payload.length, 8)}`);
  return new Uint8Array([...header, ...payload]);
}

/**
 * A module making the calls as imports (`via_import`), or one making them as binary records
 * (`via_binary`) and text records (`via_text`): javy-link takes only modules without the API.
 */
function guest(kind: 'imports' | 'records'): string {
  const data: string[] = [];
  let at = 64;
  const place = (b: Uint8Array) => {
    const addr = at;
    data.push(`(data (i32.const ${addr}) "${Array.from(b, (x) => `\\${x.toString(16).padStart(2, '0')}`).join('')}")`);
    at += b.length + 8;
    return addr;
  };
  const newline = place(utf8('\n'));
  const iov = 16; // one iovec at 16, nwritten at 8
  const write = (ptr: number, len: number) =>
    `(i32.store (i32.const ${iov}) (i32.const ${ptr})) (i32.store (i32.const ${iov + 4}) (i32.const ${len})) ` +
    `(drop (call $fd_write (i32.const 2) (i32.const ${iov}) (i32.const 1) (i32.const 8)))`;
  const viaImport = CALLS.map((c) => {
    const p = c.payload ?? new Uint8Array(0);
    const str = `(i32.const ${place(p)}) (i32.const ${p.length})`;
    switch (c.op) {
      case 'span-enter': return `(call $enter ${str})`;
      case 'span-exit': return '(call $exit)';
      case 'span-tags': return `(call $tags ${str})`;
      case 'log': return `(call $log (i32.const ${c.arg}) ${str})`;
      case 'metric': return `(call $metric (i32.const ${c.arg}) ${str})`;
    }
  });
  const viaBinary = CALLS.map((c) => {
    const r = binaryRecord(c);
    return write(place(r), r.length);
  });
  const viaText = CALLS.map((c) => {
    const r = textRecord(c);
    return `${write(place(r), r.length)} ${write(newline, 1)}`;
  });
  const funcs =
    kind === 'imports'
      ? `(func (export "via_import") ${viaImport.join(' ')})`
      : `(func (export "via_binary") ${viaBinary.join(' ')}) (func (export "via_text") ${viaText.join(' ')})`;
  return `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  ${kind === 'imports' ? API_IMPORTS : ''}
  (memory (export "memory") 1)
  ${data.join('\n  ')}
  ${funcs})`;
}

/** The trace without ids, times, or the addresses anomaly logs quote (records sit elsewhere). */
function shape(e: Exported) {
  const unaddressed = (body: unknown) => (typeof body === 'string' ? body.replace(/ptr=\d+/, 'ptr=…') : body);
  const byId = new Map(e.spans.map((s) => [s.spanId, s.name]));
  return {
    spans: e.spans.map((s) => ({ name: s.name, parent: s.parentSpanId && byId.get(s.parentSpanId), attributes: s.attributes, events: s.events })),
    logs: e.logs.map((l) => ({ body: unaddressed(l.body), severity: l.severityNumber, attributes: l.attributes, span: l.spanId && byId.get(l.spanId) })),
    metrics: e.metrics.map((m) => ({ name: m.name, kind: m.kind, value: m.value, attributes: m.attributes })),
  };
}

describe('one door: the same hostile payloads as imports and as records', async () => {
  const imports = await watToWasm(guest('imports'));
  const unlinked = await watToWasm(guest('records'));
  const linked = await linkJavy(unlinked);
  const run = async (wasm: Uint8Array, invoke: string) => {
    const r = await runTraced(wasm, { invoke, traceName: 'hostile', stdio: [0, 1, 2], observer: { maxStringBytes: MAX_STRING } });
    expect(r.result).toMatchObject({ exitCode: 0 });
    return { shape: shape(r), anomalies: r.observer.anomalies() };
  };
  const reference = await run(imports, 'via_import');

  it('counts the anomalies the imports count', () => {
    expect(Object.keys(reference.anomalies).sort()).toEqual(
      expect.arrayContaining(['invalid-utf8', 'length-over-cap', 'span-exit-without-span', 'unknown-log-level', 'unknown-metric-format', 'span-left-open']),
    );
    expect(reference.shape.logs.map((l) => l.body)).toContain('x'.repeat(MAX_STRING));
    expect(reference.shape.spans.map((s) => s.name)).toContain('f\ufffd\ufffdo');
  });

  for (const [name, wasm, invoke] of [
    ['binary records, unlinked', unlinked, 'via_binary'],
    ['text records, unlinked', unlinked, 'via_text'],
    ['binary records, linked', linked, 'via_binary'],
    ['text records, linked', linked, 'via_text'],
  ] as const) {
    it(`gives the same telemetry and anomalies: ${name}`, async () => {
      const got = await run(wasm, invoke);
      expect(got.shape).toEqual(reference.shape);
      expect(got.anomalies).toEqual(reference.anomalies);
    });
  }
});
