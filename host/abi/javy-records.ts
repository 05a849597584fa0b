/**
 * Observe records that an unlinked Javy module writes to fd 2 (bindings/javy/FORMAT.md).
 *
 * The unit of recognition is one iovec of one `fd_write` on fd 2 — what a single
 * `Javy.IO.writeSync(2, record)` produces. An iovec whose bytes are one or more complete records,
 * back to back, is telemetry; any other iovec is ordinary stderr and passes through whole.
 * `javy-link` applies the same rule inside the module, so linked and unlinked runs agree.
 */
import {
  HEADER_SIZE,
  RECORD_FD,
  MAGIC_U32,
  OFFSET_ARG,
  OFFSET_LENGTH,
  OFFSET_OP,
  OFFSET_VERSION,
  OPS,
  VERSION,
} from '../../bindings/javy/format.js';
import type { GuestEvent } from '../events.ts';

type WithoutTime<E> = E extends unknown ? Omit<E, 'time'> : never;

/** What one record stands for: the event of the API import it names, before it has a time. */
export type JavyRecord = WithoutTime<Extract<GuestEvent, { type: keyof typeof OPS }>>;

const utf8 = new TextDecoder();

/** Whether `bytes` is exactly a sequence of complete records (the rule javy-link compiles). */
export function isRecordRun(bytes: Uint8Array): boolean {
  return isRun(bytes, viewOf(bytes), 0, bytes.length);
}

/** The records in a run that `isRecordRun` accepted. */
export function decodeRecords(bytes: Uint8Array): JavyRecord[] {
  const records: JavyRecord[] = [];
  eachRecord(bytes, viewOf(bytes), 0, bytes.length, (r) => records.push(r));
  return records;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// The two loops work on [start, end) of a view so the fd_write path can scan guest memory in
// place, with no copy or view per call.
function isRun(bytes: Uint8Array, view: DataView, start: number, end: number): boolean {
  if (start === end) return false;
  let pos = start;
  while (pos < end) {
    const rest = end - pos;
    if (rest < HEADER_SIZE) return false;
    if (view.getUint32(pos, true) !== MAGIC_U32) return false;
    if (bytes[pos + OFFSET_VERSION] !== VERSION) return false;
    const op = bytes[pos + OFFSET_OP]!;
    if (op < OPS['span-enter'] || op > OPS.metric) return false;
    const length = view.getUint32(pos + OFFSET_LENGTH, true);
    if (length > rest - HEADER_SIZE) return false;
    pos += HEADER_SIZE + length;
  }
  return true;
}

function eachRecord(bytes: Uint8Array, view: DataView, start: number, end: number, onRecord: (r: JavyRecord) => void): void {
  let pos = start;
  while (pos < end) {
    const op = bytes[pos + OFFSET_OP]!;
    const arg = bytes[pos + OFFSET_ARG]!;
    const length = view.getUint32(pos + OFFSET_LENGTH, true);
    const text = length === 0 ? '' : utf8.decode(bytes.subarray(pos + HEADER_SIZE, pos + HEADER_SIZE + length));
    onRecord(toRecord(op, arg, text));
    pos += HEADER_SIZE + length;
  }
}

function toRecord(op: number, arg: number, text: string): JavyRecord {
  switch (op) {
    case OPS['span-enter']:
      return { type: 'span-enter', name: text };
    case OPS['span-exit']:
      return { type: 'span-exit' };
    case OPS['span-tags']:
      return { type: 'span-tags', tags: text };
    case OPS.log:
      return { type: 'log', level: arg, message: text };
    default:
      return { type: 'metric', format: arg, text };
  }
}

/** A record as the event the trace builder takes, as if the guest had called the import. */
export function toGuestEvent(record: JavyRecord, time: number): GuestEvent {
  return { ...record, time };
}

// Whether the iovec at `iov` points at a run of records inside memory.
function iovecIsRun(bytes: Uint8Array, view: DataView, iov: number): boolean {
  const ptr = view.getUint32(iov, true);
  const end = ptr + view.getUint32(iov + 4, true);
  return end <= bytes.length && isRun(bytes, view, ptr, end);
}

/** WASI preview1 `fd_write(fd, iovs, iovs_len, nwritten) → errno`. */
export type FdWrite = (fd: number, iovs: number, iovsLen: number, nwritten: number) => number;

/**
 * Wraps a WASI `fd_write` so an unlinked Javy module behaves as if linked: on fd 2, each iovec
 * that is a run of records goes to `onRecord` and counts as written; every other iovec goes to
 * `original` alone, in order: the rule the Wasm function javy-link adds. A write with no record
 * reaches `original` unchanged.
 * `memory` is read on each call, since the guest's memory is bound after instantiation.
 */
export function demultiplexFdWrite(
  original: FdWrite,
  memory: () => WebAssembly.Memory | undefined,
  onRecord: (record: JavyRecord) => void,
): FdWrite {
  // Views of guest memory, remade only when memory.grow has replaced the buffer.
  let buffer: ArrayBufferLike | undefined;
  let bytes = new Uint8Array(0);
  let view = new DataView(bytes.buffer);
  return (fd, iovs, iovsLen, nwritten) => {
    const mem = memory();
    if (fd !== RECORD_FD || !mem) return original(fd, iovs, iovsLen, nwritten);
    if (mem.buffer !== buffer) {
      buffer = mem.buffer;
      bytes = new Uint8Array(buffer);
      view = new DataView(buffer);
    }
    // Out-of-bounds arguments: let the real fd_write report EFAULT.
    if (iovs + iovsLen * 8 > bytes.length || nwritten + 4 > bytes.length) return original(fd, iovs, iovsLen, nwritten);
    // A write with no records (every write of a guest that is not Javy) goes through whole, as
    // one call with all its iovecs: only writes that hold records are split.
    let first = 0;
    while (first < iovsLen && !iovecIsRun(bytes, view, iovs + first * 8)) first++;
    if (first === iovsLen) return original(fd, iovs, iovsLen, nwritten);
    let total = 0;
    for (let i = 0; i < iovsLen; i++) {
      const iov = iovs + i * 8;
      const ptr = view.getUint32(iov, true);
      const len = view.getUint32(iov + 4, true);
      if (i >= first && iovecIsRun(bytes, view, iov)) {
        eachRecord(bytes, view, ptr, ptr + len, onRecord);
        total += len;
        continue;
      }
      const err = original(fd, iov, 1, nwritten);
      // POSIX: an error after some bytes went out is reported as a short write.
      if (err !== 0) {
        if (total === 0) return err;
        break;
      }
      const n = view.getUint32(nwritten, true);
      total += n;
      if (n < len) break;
    }
    view.setUint32(nwritten, total, true);
    return 0;
  };
}
