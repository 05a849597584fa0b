/**
 * A WASI stand-in for a Javy module: a WAT program whose `_start` replays given fd_write calls,
 * byte for byte. It stands where the Javy CLI cannot run here: fed the writes the binding made
 * inside QuickJS, it is what a Javy module running that JS would hand to WASI.
 *
 * Each call traps unless fd_write returns 0 and reports every byte written, so a linked module
 * that loses or miscounts bytes fails the test.
 */
import wabtFactory from 'wabt';

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
