/**
 * A WASI stand-in for a Javy module: a WAT program whose `_start` replays given fd_write calls,
 * byte for byte. It stands where the Javy CLI cannot run here: fed the writes the binding made
 * inside QuickJS, it is what a Javy module running that JS would hand to WASI.
 *
 * Each call traps unless fd_write returns 0 and reports every byte written, so a linked module
 * that loses or miscounts bytes fails the test.
 */
import wabtFactory from 'wabt';
import { decodeRecords, isRecordRun, type JavyRecord } from '../../host/abi/javy-records.ts';
import { API_MODULE } from '../../host/abi/spec.ts';

export interface FdWrite {
  readonly fd: number;
  /** One Uint8Array per iovec. */
  readonly iovecs: readonly Uint8Array[];
}

const NWRITTEN = 8; // scratch word for fd_write's result count
const DATA_START = 16;

function watBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
}

function u32le(n: number): Uint8Array {
  return Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
}

export function standinWat(writes: readonly FdWrite[]): string {
  const data: string[] = [];
  const calls: string[] = [];
  let at = DATA_START;
  const place = (bytes: Uint8Array): number => {
    const addr = at;
    if (bytes.length > 0) data.push(`  (data (i32.const ${addr}) "${watBytes(bytes)}")`);
    at += bytes.length + ((8 - (bytes.length % 8)) % 8);
    return addr;
  };
  for (const write of writes) {
    const buffers = write.iovecs.map(place);
    const iovs = new Uint8Array(write.iovecs.length * 8);
    write.iovecs.forEach((iov, i) => {
      iovs.set(u32le(buffers[i]!), i * 8);
      iovs.set(u32le(iov.length), i * 8 + 4);
    });
    const iovsAddr = place(iovs);
    const total = write.iovecs.reduce((sum, iov) => sum + iov.length, 0);
    calls.push(
      `    (if (call $fd_write (i32.const ${write.fd}) (i32.const ${iovsAddr}) (i32.const ${write.iovecs.length}) (i32.const ${NWRITTEN}))`,
      `      (then unreachable))`,
      `    (if (i32.ne (i32.load (i32.const ${NWRITTEN})) (i32.const ${total})) (then unreachable))`,
    );
  }
  const pages = Math.max(1, Math.ceil(at / 65536));
  return [
    '(module',
    '  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))',
    `  (memory (export "memory") ${pages})`,
    ...data,
    '  (func (export "_start")',
    ...calls,
    '  )',
    ')',
  ].join('\n');
}

/**
 * The same program written the way a C or Rust guest is: each record is a direct call to the
 * `dylibso:observe/api` import it stands for; other writes stay fd_writes.
 */
export function handInstrumentedWat(writes: readonly FdWrite[]): string {
  const data: string[] = [];
  const body: string[] = [];
  let at = DATA_START;
  const place = (bytes: Uint8Array): number => {
    const addr = at;
    if (bytes.length > 0) data.push(`  (data (i32.const ${addr}) "${watBytes(bytes)}")`);
    at += bytes.length + ((8 - (bytes.length % 8)) % 8);
    return addr;
  };
  const str = (s: string) => {
    const bytes = new TextEncoder().encode(s);
    return `(i32.const ${place(bytes)}) (i32.const ${bytes.length})`;
  };
  const call = (r: JavyRecord): string => {
    switch (r.type) {
      case 'span-enter': return `(call $span_enter ${str(r.name)})`;
      case 'span-exit': return '(call $span_exit)';
      case 'span-tags': return `(call $span_tags ${str(r.tags)})`;
      case 'log': return `(call $log (i32.const ${r.level}) ${str(r.message)})`;
      case 'metric': return `(call $metric (i32.const ${r.format}) ${str(r.text)})`;
    }
  };
  for (const write of writes) {
    const rest: Uint8Array[] = [];
    for (const iov of write.iovecs) {
      if (write.fd === 2 && isRecordRun(iov)) body.push(...decodeRecords(iov).map((r) => `    ${call(r)}`));
      else rest.push(iov);
    }
    if (rest.length === 0) continue;
    const iovs = new Uint8Array(rest.length * 8);
    rest.forEach((iov, i) => {
      iovs.set(u32le(place(iov)), i * 8);
      iovs.set(u32le(iov.length), i * 8 + 4);
    });
    body.push(`    (drop (call $fd_write (i32.const ${write.fd}) (i32.const ${place(iovs)}) (i32.const ${rest.length}) (i32.const ${NWRITTEN})))`);
  }
  return [
    '(module',
    '  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))',
    `  (import "${API_MODULE}" "span-enter" (func $span_enter (param i32 i32)))`,
    `  (import "${API_MODULE}" "span-exit" (func $span_exit))`,
    `  (import "${API_MODULE}" "span-tags" (func $span_tags (param i32 i32)))`,
    `  (import "${API_MODULE}" "log" (func $log (param i32 i32 i32)))`,
    `  (import "${API_MODULE}" "metric" (func $metric (param i32 i32 i32)))`,
    `  (memory (export "memory") ${Math.max(1, Math.ceil(at / 65536))})`,
    ...data,
    '  (func (export "_start")',
    ...body,
    '  )',
    ')',
  ].join('\n');
}

export async function compileWat(wat: string): Promise<Uint8Array<ArrayBuffer>> {
  const wabt = await wabtFactory();
  const module = wabt.parseWat('standin.wat', wat);
  try {
    module.validate();
    return module.toBinary({}).buffer as Uint8Array<ArrayBuffer>;
  } finally {
    module.destroy();
  }
}

export async function standinWasm(writes: readonly FdWrite[]): Promise<Uint8Array<ArrayBuffer>> {
  return compileWat(standinWat(writes));
}
