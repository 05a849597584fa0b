/**
 * Observe records that an unlinked Javy module writes to fd 2 (bindings/javy/FORMAT.md), binary
 * (`Javy.IO.writeSync`) or text (`console.error`).
 *
 * The unit of recognition is one iovec of one `fd_write` on fd 2. An iovec whose bytes are one or
 * more complete records, back to back, is telemetry; any other iovec is ordinary stderr and passes
 * through whole. After text records, the `"\n"` console.error writes next is swallowed too.
 * `javy-link` applies the same rule inside the module, so linked and unlinked runs agree.
 *
 * Records are not turned into events here: each one calls the same `dylibso:observe/api` handler
 * the import would, with (pointer, length) into guest memory. One door for guest input: string
 * caps, UTF-8 checks and host-error guards apply to a record exactly as to the import.
 */
import {
  HEADER_SIZE,
  RECORD_FD,
  MAGIC_U32,
  NEWLINE,
  OFFSET_ARG,
  OFFSET_LENGTH,
  OFFSET_OP,
  OFFSET_VERSION,
  OPS,
  TEXT_ARG_DIGITS,
  TEXT_HEADER_SIZE,
  TEXT_LENGTH_DIGITS,
  TEXT_MARK,
  TEXT_OFFSET_ARG,
  TEXT_OFFSET_LENGTH,
  TEXT_OFFSET_OP,
  TEXT_OFFSET_VERSION,
  TEXT_VERSION,
  VERSION,
} from '../../bindings/javy/format.js';
import { API_MODULE } from '../abi/spec.ts';

/** The five `dylibso:observe/api` host functions, as the Observer provides them to imports. */
export interface ObserveApi {
  'span-enter'(ptr: number, len: number): void;
  'span-exit'(): void;
  'span-tags'(ptr: number, len: number): void;
  log(level: number, ptr: number, len: number): void;
  metric(format: number, ptr: number, len: number): void;
}

/** The API handlers out of an import object such as `observer.imports()`. */
export function observeApi(imports: WebAssembly.Imports): ObserveApi {
  const api = imports[API_MODULE];
  if (api === undefined) throw new Error(`no ${API_MODULE} in the import object`);
  return api as unknown as ObserveApi;
}

/** What one record stands for, decoded (for tests and tools; the host itself calls the API). */
export type JavyRecord =
  | { readonly type: 'span-enter'; readonly name: string }
  | { readonly type: 'span-exit' }
  | { readonly type: 'span-tags'; readonly tags: string }
  | { readonly type: 'log'; readonly level: number; readonly message: string }
  | { readonly type: 'metric'; readonly format: number; readonly text: string };

/** How a byte range scanned: not records, records, or text records awaiting console's "\n". */
const Run = { None: 0, Complete: 1, AwaitsNewline: 2 } as const;
type Run = (typeof Run)[keyof typeof Run];

/** One record's fields, filled by `recordAt` (reused: these scans run for every stderr write). */
interface Cursor {
  op: number;
  arg: number;
  payload: number;
  length: number;
  /** Where the next record starts. */
  next: number;
  text: boolean;
}

const utf8 = new TextDecoder();

/** Whether `bytes` is exactly a run of complete records (a text run may end in one "\n"). */
export function isRecordRun(bytes: Uint8Array): boolean {
  return scan(bytes, viewOf(bytes), 0, bytes.length, newCursor()) !== Run.None;
}

/** The records in a run that `isRecordRun` accepted. */
export function decodeRecords(bytes: Uint8Array): JavyRecord[] {
  const records: JavyRecord[] = [];
  const at = newCursor();
  const view = viewOf(bytes);
  let pos = 0;
  while (recordAt(bytes, view, pos, bytes.length, at)) {
    const text = utf8.decode(bytes.subarray(at.payload, at.payload + at.length));
    records.push(toRecord(at.op, at.arg, text));
    pos = at.next;
  }
  return records;
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

function newCursor(): Cursor {
  return { op: 0, arg: 0, payload: 0, length: 0, next: 0, text: false };
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `count` lowercase hex digits at `pos` as a number, or -1. */
function hex(bytes: Uint8Array, pos: number, count: number): number {
  let n = 0;
  for (let i = 0; i < count; i++) {
    const c = bytes[pos + i]!;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (d < 0) return -1;
    n = n * 16 + d;
  }
  return n;
}

/** Reads the complete record at `pos` (ending by `end`) into `at`; false if there is none. */
function recordAt(bytes: Uint8Array, view: DataView, pos: number, end: number, at: Cursor): boolean {
  const rest = end - pos;
  if (rest < HEADER_SIZE || view.getUint32(pos, true) !== MAGIC_U32) return false;
  const mark = bytes[pos + OFFSET_VERSION]!;
  if (mark === VERSION) {
    at.op = bytes[pos + OFFSET_OP]!;
    at.arg = bytes[pos + OFFSET_ARG]!;
    at.length = view.getUint32(pos + OFFSET_LENGTH, true);
    at.payload = pos + HEADER_SIZE;
    at.text = false;
  } else if (mark === TEXT_MARK) {
    if (rest < TEXT_HEADER_SIZE || bytes[pos + TEXT_OFFSET_VERSION] !== 0x30 + TEXT_VERSION) return false;
    at.op = bytes[pos + TEXT_OFFSET_OP]! - 0x30;
    at.arg = hex(bytes, pos + TEXT_OFFSET_ARG, TEXT_ARG_DIGITS);
    at.length = hex(bytes, pos + TEXT_OFFSET_LENGTH, TEXT_LENGTH_DIGITS);
    if (at.arg < 0 || at.length < 0) return false;
    at.payload = pos + TEXT_HEADER_SIZE;
    at.text = true;
  } else {
    return false;
  }
  if (at.op < OPS['span-enter'] || at.op > OPS.metric) return false;
  if (at.length > end - at.payload) return false;
  at.next = at.payload + at.length;
  return true;
}

// Works on [start, end) of a view so the fd_write path can scan guest memory in place, with no
// copy or view per call.
function scan(bytes: Uint8Array, view: DataView, start: number, end: number, at: Cursor): Run {
  if (start === end) return Run.None;
  let pos = start;
  let text = false;
  while (pos < end) {
    if (!recordAt(bytes, view, pos, end, at)) {
      // A line-buffered runtime writes console.error's "\n" with the text: accept one, last.
      return text && pos === end - 1 && bytes[pos] === NEWLINE ? Run.Complete : Run.None;
    }
    text = at.text;
    pos = at.next;
  }
  return text ? Run.AwaitsNewline : Run.Complete;
}

/** Calls the API handler for each record of a run `scan` accepted. */
function dispatch(bytes: Uint8Array, view: DataView, start: number, end: number, at: Cursor, api: ObserveApi): void {
  let pos = start;
  while (pos < end && recordAt(bytes, view, pos, end, at)) {
    switch (at.op) {
      case OPS['span-enter']:
        api['span-enter'](at.payload, at.length);
        break;
      case OPS['span-exit']:
        api['span-exit']();
        break;
      case OPS['span-tags']:
        api['span-tags'](at.payload, at.length);
        break;
      case OPS.log:
        api.log(at.arg, at.payload, at.length);
        break;
      default:
        api.metric(at.arg, at.payload, at.length);
    }
    pos = at.next;
  }
}

/** WASI preview1 `fd_write(fd, iovs, iovs_len, nwritten) → errno`. */
export type FdWrite = (fd: number, iovs: number, iovsLen: number, nwritten: number) => number;

/**
 * Wraps a WASI `fd_write` so an unlinked Javy module behaves as if linked: on fd 2, each iovec
 * that is a run of records becomes calls to `api` and counts as written, as does the lone "\n"
 * that follows text records; every other iovec goes to `original` alone, in order: the rule the
 * Wasm function javy-link adds. A write with no record reaches `original` unchanged.
 * `memory` is read on each call, since the guest's memory is bound after instantiation.
 */
export function demultiplexFdWrite(original: FdWrite, memory: () => WebAssembly.Memory | undefined, api: ObserveApi): FdWrite {
  // Views of guest memory, remade only when memory.grow has replaced the buffer.
  let buffer: ArrayBufferLike | undefined;
  let bytes = new Uint8Array(0);
  let view = new DataView(bytes.buffer);
  const at = newCursor();
  let awaitsNewline = false;
  const iovecRun = (iov: number): Run => {
    const ptr = view.getUint32(iov, true);
    const end = ptr + view.getUint32(iov + 4, true);
    return end <= bytes.length ? scan(bytes, view, ptr, end, at) : Run.None;
  };
  const isNewline = (iov: number): boolean => view.getUint32(iov + 4, true) === 1 && bytes[view.getUint32(iov, true)] === NEWLINE;
  return (fd, iovs, iovsLen, nwritten) => {
    const mem = memory();
    if (fd !== RECORD_FD || !mem) return original(fd, iovs, iovsLen, nwritten);
    if (mem.buffer !== buffer) {
      buffer = mem.buffer;
      bytes = new Uint8Array(buffer);
      view = new DataView(buffer);
    }
    // Out-of-bounds arguments: let the real fd_write report EFAULT.
    if (iovs + iovsLen * 8 > bytes.length || nwritten + 4 > bytes.length) {
      awaitsNewline = false;
      return original(fd, iovs, iovsLen, nwritten);
    }
    // A write with no records (every write of a guest that is not Javy) goes through whole, as
    // one call with all its iovecs: only writes that hold records are split.
    const swallowFirst = awaitsNewline && iovsLen > 0 && isNewline(iovs);
    let first = 0;
    // The first iovec that holds records, and its run: found once, not scanned again below.
    let firstRun: Run | undefined;
    if (!swallowFirst) while (first < iovsLen && (firstRun = iovecRun(iovs + first * 8)) === Run.None) first++;
    if (first === iovsLen) {
      awaitsNewline = false;
      return original(fd, iovs, iovsLen, nwritten);
    }
    let total = 0;
    for (let i = 0; i < iovsLen; i++) {
      const iov = iovs + i * 8;
      const ptr = view.getUint32(iov, true);
      const len = view.getUint32(iov + 4, true);
      if (awaitsNewline && isNewline(iov)) {
        awaitsNewline = false;
        total += 1;
        continue;
      }
      awaitsNewline = false;
      const run = i < first ? Run.None : i === first && firstRun !== undefined ? firstRun : iovecRun(iov);
      if (run !== Run.None) {
        dispatch(bytes, view, ptr, ptr + len, at, api);
        awaitsNewline = run === Run.AwaitsNewline;
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
