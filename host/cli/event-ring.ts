/**
 * Guest events from the thread that runs the guest to the thread that builds traces, through a
 * ring buffer in shared memory. A message per event would cost more than the event, and messages
 * sit in the sender until it yields, which a busy guest never does: here every event is readable
 * by the other thread the moment it is written, so a guest that is stopped (or killed) mid-run
 * loses nothing it had reported. The ring is bounded: a writer that gets ahead waits for the
 * reader, so memory stays flat however long the run.
 *
 * One record: u32 length (whole record, 4-byte aligned; 0 marks a wrap to the start), u8 type,
 * f64 time, i32 number (level, format, index or pages), u32 string length, then the string as
 * UTF-8 (an anomaly's kind and detail joined by NUL).
 */
import type { AnomalyKind, EventSink, GuestEvent } from '../events.ts';

/** Int32 slots of the control block. */
const WRITE = 0;
const READ = 1;
const STOP = 2;
const CONTROL_SLOTS = 4;
const HEADER = 21;

const TYPES = ['span-enter', 'span-exit', 'span-tags', 'log', 'metric', 'function-enter', 'function-exit', 'memory-grow', 'anomaly'] as const;
const TYPE_CODE: Record<GuestEvent['type'], number> = Object.fromEntries(TYPES.map((t, i) => [t, i])) as Record<GuestEvent['type'], number>;

export interface RingBuffers {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

/** Buffers for a ring that holds at least `minBytes` of records. */
export function createRing(minBytes: number): RingBuffers {
  const size = Math.ceil(Math.min(Math.max(minBytes, 256), 1 << 28) / 4) * 4;
  return { control: new SharedArrayBuffer(CONTROL_SLOTS * 4), data: new SharedArrayBuffer(size) };
}

/** Thrown into the guest at its next host call once a stop was requested. */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor() {
    super('interrupted');
  }
}

/** The guest thread's end: an EventSink that writes each event into the ring. */
export class RingWriter implements EventSink {
  private readonly control: Int32Array;
  private readonly bytes: Buffer;
  private readonly view: DataView;
  private readonly capacity: number;
  /** Longest string stored whole; a longer one (only with a huge --max-string) is cut. */
  private readonly maxString: number;
  private w = 0;

  constructor(buffers: RingBuffers) {
    this.control = new Int32Array(buffers.control);
    this.bytes = Buffer.from(buffers.data);
    this.view = new DataView(buffers.data);
    this.capacity = buffers.data.byteLength;
    this.maxString = Math.floor(this.capacity / 4);
  }

  /** True once the other thread asked the guest to stop. */
  get stopRequested(): boolean {
    return Atomics.load(this.control, STOP) !== 0;
  }

  handle(event: GuestEvent): void {
    let text: string | undefined;
    let number = 0;
    switch (event.type) {
      case 'span-enter':
        text = event.name;
        break;
      case 'span-tags':
        text = event.tags;
        break;
      case 'log':
        text = event.message;
        number = event.level;
        break;
      case 'metric':
        text = event.text;
        number = event.format;
        break;
      case 'function-enter':
      case 'function-exit':
        number = event.index;
        break;
      case 'memory-grow':
        number = event.pages;
        break;
      case 'anomaly':
        text = `${event.kind}\u0000${event.detail}`;
        break;
    }
    if (text !== undefined && text.length * 3 > this.maxString) text = cut(text, this.maxString);
    const textBytes = text === undefined ? 0 : Buffer.byteLength(text);
    const size = align(HEADER + textBytes);
    const at = this.reserve(size);
    const view = this.view;
    view.setUint32(at, size);
    view.setUint8(at + 4, TYPE_CODE[event.type]);
    view.setFloat64(at + 5, event.time);
    view.setInt32(at + 13, number);
    view.setUint32(at + 17, textBytes);
    if (text !== undefined) this.bytes.write(text, at + HEADER, 'utf8');
    this.w = at + size;
    Atomics.store(this.control, WRITE, this.w);
  }

  /** Where a record of `size` bytes goes, waiting for the reader while the ring is full. */
  private reserve(size: number): number {
    for (;;) {
      const r = Atomics.load(this.control, READ);
      const w = this.w;
      if (w >= r) {
        // Free: [w, capacity) then [0, r). Room for a wrap marker is always left at the end.
        if (this.capacity - w >= size + 4) return w;
        if (r > size) {
          this.view.setUint32(w, 0);
          this.w = 0;
          return 0;
        }
      } else if (r - w > size) {
        return w;
      }
      if (this.stopRequested) throw new Interrupted();
      Atomics.wait(this.control, READ, r, 100);
    }
  }
}

/** The trace thread's end: reads what was written so far. */
export class RingReader {
  private readonly control: Int32Array;
  private readonly bytes: Buffer;
  private readonly view: DataView;
  private r = 0;

  constructor(buffers: RingBuffers) {
    this.control = new Int32Array(buffers.control);
    this.bytes = Buffer.from(buffers.data);
    this.view = new DataView(buffers.data);
  }

  /** Asks the guest thread to stop at its next host call (or its next wait for room). */
  requestStop(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, READ);
  }

  /** Hands every complete record to `sink`, in order; returns how many. */
  drain(sink: EventSink): number {
    const end = Atomics.load(this.control, WRITE);
    let r = this.r;
    let n = 0;
    const view = this.view;
    while (r !== end) {
      const size = view.getUint32(r);
      if (size === 0) {
        r = 0;
        continue;
      }
      sink.handle(this.decode(r));
      r += size;
      n++;
    }
    this.r = r;
    Atomics.store(this.control, READ, r);
    Atomics.notify(this.control, READ);
    return n;
  }

  private decode(at: number): GuestEvent {
    const view = this.view;
    const type = TYPES[view.getUint8(at + 4)]!;
    const time = view.getFloat64(at + 5);
    const number = view.getInt32(at + 13);
    const length = view.getUint32(at + 17);
    const text = length > 0 ? this.bytes.toString('utf8', at + HEADER, at + HEADER + length) : '';
    switch (type) {
      case 'span-enter':
        return { type, time, name: text };
      case 'span-exit':
        return { type, time };
      case 'span-tags':
        return { type, time, tags: text };
      case 'log':
        return { type, time, level: number, message: text };
      case 'metric':
        return { type, time, format: number, text };
      case 'function-enter':
      case 'function-exit':
        return { type, time, index: number >>> 0 };
      case 'memory-grow':
        return { type, time, pages: number };
      case 'anomaly': {
        const nul = text.indexOf('\u0000');
        return { type, time, kind: text.slice(0, nul) as AnomalyKind, detail: text.slice(nul + 1) };
      }
    }
  }
}

function align(n: number): number {
  return (n + 3) & ~3;
}

/** The longest prefix of `text` that is at most `maxBytes` of UTF-8, cut between characters. */
function cut(text: string, maxBytes: number): string {
  let end = Math.min(text.length, Math.floor(maxBytes / 3));
  if (end > 0 && end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end--;
  return text.slice(0, end);
}
