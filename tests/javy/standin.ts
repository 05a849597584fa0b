/**
 * A WASI stand-in for a Javy module: a WAT program whose `_start` replays given fd_write calls,
 * byte for byte. It stands where the Javy CLI cannot run here: fed the writes the binding made
 * inside QuickJS, it is what a Javy module running that JS would hand to WASI.
 *
 * Each call traps unless fd_write returns 0 and reports every byte written, so a linked module
 * that loses or miscounts bytes fails the test.
 */
import { decodeRecords, isRecordRun, type JavyRecord } from '../../host/javy/records.ts';
import { watToWasm } from '../../host/node/load.ts';
import { API_IMPORTS } from '../helpers/wat.ts';

export interface FdWrite {
  readonly fd: number;
  /** One Uint8Array per iovec. */
  readonly iovecs: readonly Uint8Array[];
}

const NWRITTEN = 8; // scratch word for fd_write's result count

function u32le(n: number): Uint8Array {
  return Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
}

/** Data segments placed one after another (8-byte aligned), and the module that holds them. */
class Layout {
  readonly #data: string[] = [];
  #at = 16;

  /** Places `bytes` in memory; returns their address. */
  place(bytes: Uint8Array): number {
    const addr = this.#at;
    const escaped = Array.from(bytes, (b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
    if (bytes.length > 0) this.#data.push(`  (data (i32.const ${addr}) "${escaped}")`);
    this.#at += bytes.length + ((8 - (bytes.length % 8)) % 8);
    return addr;
  }

  /** An iovec array for `iovecs`, each placed too; returns (address, count) operands. */
  iovs(iovecs: readonly Uint8Array[]): string {
    const iovs = new Uint8Array(iovecs.length * 8);
    iovecs.forEach((iov, i) => {
      iovs.set(u32le(this.place(iov)), i * 8);
      iovs.set(u32le(iov.length), i * 8 + 4);
    });
    return `(i32.const ${this.place(iovs)}) (i32.const ${iovecs.length})`;
  }

  /** A module importing fd_write and `imports`, with `body` as `_start`. */
  module(imports: string, body: string[]): string {
    return [
      '(module',
      '  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))',
      imports,
      `  (memory (export "memory") ${Math.max(1, Math.ceil(this.#at / 65536))})`,
      ...this.#data,
      '  (func (export "_start")',
      ...body,
      '  )',
      ')',
    ].join('\n');
  }
}

function standinWat(writes: readonly FdWrite[]): string {
  const layout = new Layout();
  const calls = writes.flatMap((write) => {
    const total = write.iovecs.reduce((sum, iov) => sum + iov.length, 0);
    return [
      `    (if (call $fd_write (i32.const ${write.fd}) ${layout.iovs(write.iovecs)} (i32.const ${NWRITTEN}))`,
      `      (then unreachable))`,
      `    (if (i32.ne (i32.load (i32.const ${NWRITTEN})) (i32.const ${total})) (then unreachable))`,
    ];
  });
  return layout.module('', calls);
}

/**
 * The same program written the way a C or Rust guest is: each record is a direct call to the
 * `dylibso:observe/api` import it stands for; other writes stay fd_writes.
 */
export function handInstrumentedWat(writes: readonly FdWrite[]): string {
  const layout = new Layout();
  const str = (s: string) => {
    const bytes = new TextEncoder().encode(s);
    return `(i32.const ${layout.place(bytes)}) (i32.const ${bytes.length})`;
  };
  const call = (r: JavyRecord): string => {
    switch (r.type) {
      case 'span-enter': return `(call $enter ${str(r.name)})`;
      case 'span-exit': return '(call $exit)';
      case 'span-tags': return `(call $tags ${str(r.tags)})`;
      case 'log': return `(call $log (i32.const ${r.level}) ${str(r.message)})`;
      case 'metric': return `(call $metric (i32.const ${r.format}) ${str(r.text)})`;
    }
  };
  const body: string[] = [];
  for (const write of writes) {
    const rest: Uint8Array[] = [];
    for (const iov of write.iovecs) {
      if (write.fd === 2 && isRecordRun(iov)) body.push(...decodeRecords(iov).map((r) => `    ${call(r)}`));
      else rest.push(iov);
    }
    if (rest.length > 0) body.push(`    (drop (call $fd_write (i32.const ${write.fd}) ${layout.iovs(rest)} (i32.const ${NWRITTEN})))`);
  }
  return layout.module(API_IMPORTS, body);
}

export async function standinWasm(writes: readonly FdWrite[]): Promise<Uint8Array<ArrayBuffer>> {
  return watToWasm(standinWat(writes));
}
