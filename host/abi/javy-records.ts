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
  MAGIC_U32,
  OFFSET_ARG,
  OFFSET_LENGTH,
  OFFSET_OP,
  OFFSET_VERSION,
  OPS,
  VERSION,
} from '../../bindings/javy/format.js';
import type { LogLevel, MetricFormat } from './spec.ts';

export type JavyRecord =
  | { readonly op: 'span-enter'; readonly name: string }
  | { readonly op: 'span-exit' }
  | { readonly op: 'span-tags'; readonly tags: string }
  | { readonly op: 'log'; readonly level: LogLevel | number; readonly message: string }
  | { readonly op: 'metric'; readonly format: MetricFormat | number; readonly text: string };

const utf8 = new TextDecoder();

/** Whether `bytes` is exactly a sequence of complete records (the rule javy-link compiles). */
export function isRecordRun(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  while (pos < bytes.length) {
    const rest = bytes.length - pos;
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

/** The records in a run that `isRecordRun` accepted. */
export function decodeRecords(bytes: Uint8Array): JavyRecord[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: JavyRecord[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const op = bytes[pos + OFFSET_OP]!;
    const arg = bytes[pos + OFFSET_ARG]!;
    const length = view.getUint32(pos + OFFSET_LENGTH, true);
    const text = utf8.decode(bytes.subarray(pos + HEADER_SIZE, pos + HEADER_SIZE + length));
    records.push(toRecord(op, arg, text));
    pos += HEADER_SIZE + length;
  }
  return records;
}

function toRecord(op: number, arg: number, text: string): JavyRecord {
  switch (op) {
    case OPS['span-enter']:
      return { op: 'span-enter', name: text };
    case OPS['span-exit']:
      return { op: 'span-exit' };
    case OPS['span-tags']:
      return { op: 'span-tags', tags: text };
    case OPS.log:
      return { op: 'log', level: arg, message: text };
    default:
      return { op: 'metric', format: arg, text };
  }
}

/** Splits what a guest writes to fd 2 into Observe records and ordinary stderr bytes. */
export class JavyRecordDecoder {
  /** Records decoded so far; a cheap signal that a module speaks the Javy transport. */
  records = 0;

  readonly #onRecord: (record: JavyRecord) => void;
  readonly #passThrough: (bytes: Uint8Array) => void;

  constructor(onRecord: (record: JavyRecord) => void, passThrough: (bytes: Uint8Array) => void) {
    this.#onRecord = onRecord;
    this.#passThrough = passThrough;
  }

  /** Call once per iovec of each `fd_write` on fd 2, in order. */
  write(bytes: Uint8Array): void {
    if (!isRecordRun(bytes)) {
      this.#passThrough(bytes);
      return;
    }
    for (const record of decodeRecords(bytes)) {
      this.records++;
      this.#onRecord(record);
    }
  }
}
