// javy-link: the Wasm fd_write wrapper it adds behaves exactly like the host's JS demultiplexer,
// write by write, including every edge the record rule has.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { JavyLinkError, LINKED_SECTION, linkJavy } from '../../host/javy/link.ts';
import { encodeRecord, encodeTextRecord } from '../../bindings/javy/index.js';
import { OPS } from '../../bindings/javy/format.js';
import { demultiplexFdWrite, type FdWrite, type JavyRecord, type ObserveApi } from '../../host/javy/records.ts';
import { API_MODULE, IMPORTS } from '../../host/abi/spec.ts';
import { watToWasm } from '../../host/node/load.ts';
import { extras, loadBinaryen, readFeatures } from '../../host/tools/binaryen.ts';
import { customSection } from '../../host/tools/wasm-binary.ts';

const EBADF = 8;
const EFAULT = 21;

// A guest that lets the test call fd_write directly with any arguments.
const PROBE = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "write") (param i32 i32 i32 i32) (result i32)
    (call $fd_write (local.get 0) (local.get 1) (local.get 2) (local.get 3))))`;

const text = (s: string) => new TextEncoder().encode(s);
const rec = {
  enter: (name: string) => encodeRecord(OPS['span-enter'], 0, name),
  exit: () => encodeRecord(OPS['span-exit'], 0, ''),
  tags: (tags: string) => encodeRecord(OPS['span-tags'], 0, tags),
  log: (level: number, message: string) => encodeRecord(OPS.log, level, message),
  metric: (line: string) => encodeRecord(OPS.metric, 1, line),
};
/** Text records as console.error writes them: the string's UTF-8, "\n" in a write of its own. */
const txt = {
  enter: (name: string) => text(encodeTextRecord(OPS['span-enter'], 0, name)),
  exit: () => text(encodeTextRecord(OPS['span-exit'], 0, '')),
  log: (level: number, message: string) => text(encodeTextRecord(OPS.log, level, message)),
  metric: (line: string) => text(encodeTextRecord(OPS.metric, 1, line)),
};
const NL = text('\n');
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
};

type Seen = { record: JavyRecord } | { fd: number; text: string };

/**
 * A fake WASI fd_write: logs what reaches it, and each call's iovec count in `calls`; `short`
 * caps bytes per call; "FAIL" → EBADF.
 */
function fakeWasi(memory: () => WebAssembly.Memory, seen: Seen[], short = Infinity, calls: number[] = []): FdWrite {
  return (fd, iovs, iovsLen, nwritten) => {
    calls.push(iovsLen);
    const buf = memory().buffer;
    if (iovs + iovsLen * 8 > buf.byteLength) return EFAULT;
    const view = new DataView(buf);
    let total = 0;
    for (let i = 0; i < iovsLen; i++) {
      const bytes = new Uint8Array(buf, view.getUint32(iovs + i * 8, true), view.getUint32(iovs + i * 8 + 4, true));
      const s = new TextDecoder().decode(bytes);
      if (s === 'FAIL') return EBADF;
      const n = Math.min(bytes.length, short - total);
      seen.push({ fd, text: s.slice(0, n) });
      total += n;
    }
    view.setUint32(nwritten, total, true);
    return 0;
  };
}

interface Probe {
  write(fd: number, iovecs: Uint8Array[], opts?: { iovs?: number; nwritten?: number }): { errno: number; nwritten: number };
  seen: Seen[];
}

function probe(instance: WebAssembly.Instance, seen: Seen[]): Probe {
  const memory = instance.exports.memory as WebAssembly.Memory;
  const call = instance.exports.write as (...a: number[]) => number;
  return {
    seen,
    write(fd, iovecs, opts = {}) {
      const bytes = new Uint8Array(memory.buffer);
      const view = new DataView(memory.buffer);
      let at = 1024;
      const iovs = opts.iovs ?? 64;
      // A caller-chosen iovs pointer is passed as is: it tests bounds, so nothing is stored.
      if (opts.iovs === undefined) iovecs.forEach((iov, i) => {
        bytes.set(iov, at);
        view.setUint32(iovs + i * 8, at, true);
        view.setUint32(iovs + i * 8 + 4, iov.length, true);
        at += iov.length;
      });
      const nwritten = opts.nwritten ?? 16;
      view.setUint32(16, 0xdead, true);
      const errno = call(fd, iovs, iovecs.length, nwritten);
      return { errno, nwritten: view.getUint32(16, true) };
    },
  };
}

/** Observe API handlers that read guest memory as any host does and log what they got. */
function recordingApi(memory: () => WebAssembly.Memory, seen: Seen[]): ObserveApi {
  const str = (ptr: number, len: number) => new TextDecoder().decode(new Uint8Array(memory().buffer, ptr, len));
  return {
    'span-enter': (p, l) => void seen.push({ record: { type: 'span-enter', name: str(p, l) } }),
    'span-exit': () => void seen.push({ record: { type: 'span-exit' } }),
    'span-tags': (p, l) => void seen.push({ record: { type: 'span-tags', tags: str(p, l) } }),
    log: (level, p, l) => void seen.push({ record: { type: 'log', level, message: str(p, l) } }),
    metric: (format, p, l) => void seen.push({ record: { type: 'metric', format, text: str(p, l) } }),
  };
}

async function unlinked(short?: number, calls?: number[]): Promise<Probe> {
  const seen: Seen[] = [];
  let memory: WebAssembly.Memory | undefined;
  const fdWrite = demultiplexFdWrite(fakeWasi(() => memory!, seen, short, calls), () => memory, recordingApi(() => memory!, seen));
  const module = await WebAssembly.compile(await watToWasm(PROBE));
  const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: { fd_write: fdWrite } });
  memory = instance.exports.memory as WebAssembly.Memory;
  return probe(instance, seen);
}

/** The linked probe, with Observe imports that read guest memory as any host does. */
async function linked(short?: number): Promise<Probe> {
  const seen: Seen[] = [];
  let memory: WebAssembly.Memory | undefined;
  const api = recordingApi(() => memory!, seen);
  const wasm = await linkJavy(await watToWasm(PROBE));
  const imports = { wasi_snapshot_preview1: { fd_write: fakeWasi(() => memory!, seen, short) }, [API_MODULE]: api as unknown as WebAssembly.ModuleImports };
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(wasm), imports);
  memory = instance.exports.memory as WebAssembly.Memory;
  return probe(instance, seen);
}

/** Each case: the writes, and what must reach the host (records) and WASI (text). */
const CASES: { name: string; run: (p: Probe) => unknown; seen: Seen[] }[] = [
  {
    name: 'one record per iovec, as Javy.IO.writeSync makes it',
    run: (p) => [p.write(2, [rec.enter('é span')]), p.write(2, [rec.log(3, 'hi')]), p.write(2, [rec.exit()])],
    seen: [
      { record: { type: 'span-enter', name: 'é span' } },
      { record: { type: 'log', level: 3, message: 'hi' } },
      { record: { type: 'span-exit' } },
    ],
  },
  {
    name: 'records and text mixed across iovecs, several records in one',
    run: (p) => p.write(2, [rec.tags('a:1'), text('plain\n'), concat(rec.metric('m:1|c'), rec.exit())]),
    seen: [
      { record: { type: 'span-tags', tags: 'a:1' } },
      { fd: 2, text: 'plain\n' },
      { record: { type: 'metric', format: 1, text: 'm:1|c' } },
      { record: { type: 'span-exit' } },
    ],
  },
  {
    name: 'a record split across iovecs is text (the documented limit)',
    run: (p) => {
      const r = rec.enter('split');
      return p.write(2, [r.subarray(0, 11), r.subarray(11)]);
    },
    seen: [
      { fd: 2, text: '\0OBS\x01\x01\0\x05\0\0\0' },
      { fd: 2, text: 'split' },
    ],
  },
  {
    name: 'malformed records are text: truncated, trailing byte, wrong version, unknown op',
    run: (p) => {
      const bad = (i: number, v: number) => Object.assign(rec.enter('x'), { [i]: v });
      return [
        p.write(2, [rec.enter('truncated').subarray(0, 15)]),
        p.write(2, [concat(rec.exit(), text('!'))]),
        p.write(2, [bad(4, 2)]),
        p.write(2, [bad(5, 6)]),
        p.write(2, [bad(5, 0)]),
      ];
    },
    seen: [
      { fd: 2, text: '\0OBS\x01\x01\0\x09\0\0\0trun' },
      { fd: 2, text: '\0OBS\x01\x02\0\0\0\0\0!' },
      { fd: 2, text: '\0OBS\x02\x01\0\x01\0\0\0x' },
      { fd: 2, text: '\0OBS\x01\x06\0\x01\0\0\0x' },
      { fd: 2, text: '\0OBS\x01\x00\0\x01\0\0\0x' },
    ],
  },
  {
    name: 'records on fd 1 are ordinary output',
    run: (p) => p.write(1, [rec.exit()]),
    seen: [{ fd: 1, text: '\0OBS\x01\x02\0\0\0\0\0' }],
  },
  {
    name: 'text records as console.error writes them, each "\n" swallowed',
    run: (p) => [
      p.write(2, [txt.enter('é\nspan 🌍')]),
      p.write(2, [NL]),
      p.write(2, [txt.log(255, 'multi\nline')]),
      p.write(2, [NL]),
      p.write(2, [txt.metric('m:1|c')]),
      p.write(2, [NL]),
      p.write(2, [txt.exit()]),
      p.write(2, [NL]),
    ],
    seen: [
      { record: { type: 'span-enter', name: 'é\nspan 🌍' } },
      { record: { type: 'log', level: 255, message: 'multi\nline' } },
      { record: { type: 'metric', format: 1, text: 'm:1|c' } },
      { record: { type: 'span-exit' } },
    ],
  },
  {
    name: 'text records with their "\n" in one iovec, several in one, mixed with binary in one write',
    run: (p) => [
      p.write(2, [concat(txt.enter('a'), NL)]),
      p.write(2, [concat(txt.exit(), txt.enter('b'))]),
      p.write(2, [NL, rec.exit()]),
    ],
    seen: [
      { record: { type: 'span-enter', name: 'a' } },
      { record: { type: 'span-exit' } },
      { record: { type: 'span-enter', name: 'b' } },
      { record: { type: 'span-exit' } },
    ],
  },
  {
    name: 'only the one "\n" right after text records is swallowed',
    run: (p) => [
      p.write(2, [NL]),
      p.write(2, [txt.exit()]),
      p.write(2, [text('\n\n')]),
      p.write(2, [txt.exit()]),
      p.write(2, [text('other')]),
      p.write(2, [NL]),
      p.write(2, [rec.exit()]),
      p.write(2, [NL]),
      p.write(2, [txt.exit()]),
      p.write(2, [NL, NL]),
    ],
    seen: [
      { fd: 2, text: '\n' },
      { record: { type: 'span-exit' } },
      { fd: 2, text: '\n\n' },
      { record: { type: 'span-exit' } },
      { fd: 2, text: 'other' },
      { fd: 2, text: '\n' },
      { record: { type: 'span-exit' } },
      { fd: 2, text: '\n' },
      { record: { type: 'span-exit' } },
      { fd: 2, text: '\n' },
    ],
  },
  {
    name: 'malformed text records are text: version, op, uppercase or non-hex digits, length, trailing bytes, short header',
    run: (p) => [
      p.write(2, [text('\0OBSt220000000000')]),
      p.write(2, [text('\0OBSt160000000000')]),
      p.write(2, [text('\0OBSt100000000000')]),
      p.write(2, [text('\0OBSt14A000000002hi')]),
      p.write(2, [text('\0OBSt140300000002hi!')]),
      p.write(2, [text('\0OBSt140300000003hi')]),
      p.write(2, [text('\0OBSt14g300000002hi')]),
      p.write(2, [concat(txt.exit(), text('\n\n'))]),
      p.write(2, [text('\0OBSt120000000')]),
    ],
    seen: [
      { fd: 2, text: '\0OBSt220000000000' },
      { fd: 2, text: '\0OBSt160000000000' },
      { fd: 2, text: '\0OBSt100000000000' },
      { fd: 2, text: '\0OBSt14A000000002hi' },
      { fd: 2, text: '\0OBSt140300000002hi!' },
      { fd: 2, text: '\0OBSt140300000003hi' },
      { fd: 2, text: '\0OBSt14g300000002hi' },
      { fd: 2, text: '\0OBSt120000000000\n\n' },
      { fd: 2, text: '\0OBSt120000000' },
    ],
  },
  {
    name: 'text records on fd 1 are ordinary output, and their "\n" too',
    run: (p) => [p.write(1, [txt.exit()]), p.write(1, [NL])],
    seen: [
      { fd: 1, text: '\0OBSt120000000000' },
      { fd: 1, text: '\n' },
    ],
  },
  {
    name: 'empty writes',
    run: (p) => [p.write(2, []), p.write(2, [new Uint8Array(0)])],
    seen: [{ fd: 2, text: '' }],
  },
];

describe('javy-link output and the host demultiplexer', () => {
  for (const c of CASES) {
    it(`agree: ${c.name}`, async () => {
      const [a, b] = [await unlinked(), await linked()];
      const results = [c.run(a), c.run(b)];
      expect(a.seen).toEqual(c.seen);
      expect(b.seen).toEqual(c.seen);
      expect(results[1]).toEqual(results[0]);
    });
  }

  it('report every byte as written: records count, and nothing reaches WASI for them', async () => {
    for (const p of [await unlinked(), await linked()]) {
      const iovecs = [rec.enter('a'), text('xyz'), rec.exit()];
      expect(p.write(2, iovecs)).toEqual({ errno: 0, nwritten: iovecs.reduce((n, i) => n + i.length, 0) });
    }
  });

  it('stop at a short write of text, like POSIX writev', async () => {
    for (const p of [await unlinked(3), await linked(3)]) {
      expect(p.write(2, [rec.enter('a'), text('hello'), rec.exit()])).toEqual({ errno: 0, nwritten: 12 + 3 });
      expect(p.seen).toEqual([{ record: { type: 'span-enter', name: 'a' } }, { fd: 2, text: 'hel' }]);
    }
  });

  it('return an error only when nothing was written', async () => {
    for (const p of [await unlinked(), await linked()]) {
      expect(p.write(2, [text('FAIL')])).toEqual({ errno: EBADF, nwritten: 0xdead });
      expect(p.write(2, [rec.exit(), text('FAIL'), rec.exit()])).toEqual({ errno: 0, nwritten: 11 });
      expect(p.seen.filter((s) => 'record' in s)).toHaveLength(1);
    }
  });

  it('(host) hand a write with no record to WASI whole, and split only writes that hold one', async () => {
    const calls: number[] = [];
    const p = await unlinked(undefined, calls);
    p.write(2, [text('a'), text('b'), text('c')]);
    p.write(2, [text('a'), rec.exit(), text('c')]);
    expect(calls).toEqual([3, 1, 1]);
  });

  it('leave out-of-bounds arguments to WASI (EFAULT), never trap', async () => {
    for (const p of [await unlinked(), await linked()]) {
      expect(p.write(2, [rec.exit()], { iovs: 65536 - 4 }).errno).toBe(EFAULT);
      expect(p.seen).toEqual([]);
    }
  });
});

describe('the linked module', () => {
  it('validates, and imports fd_write plus exactly the Observe API', async () => {
    const wasm = await linkJavy(await watToWasm(PROBE));
    expect(WebAssembly.validate(wasm)).toBe(true);
    const module = new WebAssembly.Module(wasm);
    const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`).sort();
    const api = IMPORTS.filter((i) => i.module === API_MODULE).map((i) => `${i.module}.${i.name}`);
    expect(imports).toEqual(['wasi_snapshot_preview1.fd_write', ...api].sort());
    expect(WebAssembly.Module.customSections(module, LINKED_SECTION)).toHaveLength(1);
  });

  it("keeps the input's custom sections, target_features included, as they were", async () => {
    const features = Uint8Array.of(1, 0x2b, 15, ...new TextEncoder().encode('mutable-globals'));
    const input = new Uint8Array([...(await watToWasm(PROBE)), ...customSection('target_features', features), ...customSection('x-test', Uint8Array.of(7))]);
    const module = new WebAssembly.Module(await linkJavy(input));
    const section = (name: string) => WebAssembly.Module.customSections(module, name).map((b) => [...new Uint8Array(b)]);
    expect(section('target_features')).toEqual([[...features]]);
    expect(section('x-test')).toEqual([[7]]);
  });
});

describe('javy-link on a module the size and shape of a Javy build', () => {
  // quickjs-emscripten's QuickJS (0.5 MB, minified imports) with one (i32 ×4) → i32 import
  // renamed to WASI's fd_write: a real QuickJS module for the linker to rewrite.
  async function quickjsWithFdWrite(): Promise<Uint8Array> {
    const fromQuickJS = createRequire(createRequire(import.meta.url).resolve('quickjs-emscripten'));
    const b = await loadBinaryen();
    const m = extras(b).readBinary(readFileSync(fromQuickJS.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')), readFeatures(b));
    try {
      m.setFeatures(readFeatures(b));
      const infos = Array.from({ length: m.getNumFunctions() }, (_, i) => b.getFunctionInfo(m.getFunctionByIndex(i)));
      const shaped = infos.find((f) => f.module && b.expandType(f.params).length === 4 && f.results === b.i32)!;
      m.removeFunction(shaped.name);
      m.addFunctionImport(shaped.name, 'wasi_snapshot_preview1', 'fd_write', shaped.params, shaped.results);
      return m.emitBinary();
    } finally {
      m.dispose();
    }
  }

  it('links it, and the output validates and imports the Observe API', async () => {
    const input = await quickjsWithFdWrite();
    expect(input.length).toBeGreaterThan(400_000);
    const linked = await linkJavy(input);
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(linked));
    expect(imports.filter((i) => i.module === API_MODULE).map((i) => i.name).sort()).toEqual(
      IMPORTS.filter((i) => i.module === API_MODULE).map((i) => i.name).sort(),
    );
    expect(imports.filter((i) => i.module === 'wasi_snapshot_preview1')).toEqual([{ module: 'wasi_snapshot_preview1', name: 'fd_write', kind: 'function' }]);
  });
});

describe('javy-link on modules that are not plain Javy modules', () => {
  it('refuses a module it already linked', async () => {
    const once = await linkJavy(await watToWasm(PROBE));
    await expect(linkJavy(once)).rejects.toMatchObject({ reason: 'already-linked' });
  });

  it('explains dynamically linked modules: link the plugin', async () => {
    const dynamic = await watToWasm(`(module
      (import "javy_quickjs_provider_v3" "eval_bytecode" (func (param i32 i32)))
      (memory 1))`);
    const err = await linkJavy(dynamic).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JavyLinkError);
    expect(err).toMatchObject({ reason: 'dynamic' });
    expect((err as Error).message).toMatch(/javy-link plugin\.wasm/);
  });

  it('refuses a module with no fd_write', async () => {
    await expect(linkJavy(await watToWasm('(module (memory 1))'))).rejects.toMatchObject({ reason: 'no-fd-write' });
  });
});
