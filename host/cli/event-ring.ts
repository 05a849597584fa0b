/**
 * Guest events from the thread that runs the guest to the thread that builds traces, through a
 * ring buffer in shared memory. A message per event would cost more than the event, and messages
 * sit in the sender until it yields, which a busy guest never does: here every event is readable
 * by the other thread the moment it is written, so a guest that is stopped (or killed) mid-run
 * loses nothing it had reported. The ring is bounded: a writer that gets ahead waits for the
 * reader, so memory stays flat however long the run.
 *
 * One record, 8-byte aligned, as Int32 slots: length of the whole record (0 marks a wrap to the
 * start), type and string mode, f64 time, number (level, format, index or pages), string byte
 * length, string id; then the string as UTF-8 (an anomaly's kind and detail joined by NUL).
 * Guests send the same few strings again and again, so short strings get an id the first time
 * (both ends keep the same table, filled in record order) and are sent as that id afterwards:
 * no encoding on the guest's thread, no decoding on the other.
 */
import type { AnomalyKind, GuestEvent } from '../events.ts';

/** Int32 slots of the control block. */
const WRITE = 0;
const READ = 1;
const STOP = 2;
const CONTROL_SLOTS = 4;
const HEADER = 32;

const TYPES = ['span-enter', 'span-exit', 'span-tags', 'log', 'metric', 'function-enter', 'function-exit', 'memory-grow', 'anomaly'] as const;
const TYPE_CODE: Record<GuestEvent['type'], number> = Object.fromEntries(TYPES.map((t, i) => [t, i])) as Record<GuestEvent['type'], number>;

/** How a record carries its string. */
const NO_TEXT = 0;
const INLINE = 1;
/** Inline, and from now on known by the id in the record. */
const DEFINE = 2;
/** Only the id of a string defined earlier. */
const REFERENCE = 3;
/** Strings kept by id on both ends; ids are reused in turn once all are taken. */
const TABLE_SIZE = 4096;
/** Longer strings are sent inline every time: they rarely repeat and cost more to look up. */
const MAX_INTERNED = 256;

export interface RingBuffers {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

/** Buffers for a ring that holds at least `minBytes` of records. */
export function createRing(minBytes: number): RingBuffers {
  const size = Math.ceil(Math.min(Math.max(minBytes, 1024), 1 << 28) / 8) * 8;
  return { control: new SharedArrayBuffer(CONTROL_SLOTS * 4), data: new SharedArrayBuffer(size) };
}

/** Thrown into the guest at its next host call once a stop was requested. */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor() {
    super('interrupted');
  }
}

/** The guest thread's end: writes each event record into the ring. */
export class RingWriter {
  private readonly control: Int32Array;
  private readonly bytes: Buffer;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly capacity: number;
  /** Longest string stored whole; a longer one (only with a huge --max-string) is cut. */
  private readonly maxString: number;
  private readonly ids = new Map<string, number>();
  private readonly table: (string | undefined)[] = new Array<string | undefined>(TABLE_SIZE);
  private nextId = 0;
  private w = 0;

  constructor(buffers: RingBuffers) {
    this.control = new Int32Array(buffers.control);
    this.bytes = Buffer.from(buffers.data);
    this.i32 = new Int32Array(buffers.data);
    this.f64 = new Float64Array(buffers.data);
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
    let mode = NO_TEXT;
    let id = 0;
    let reserve = HEADER;
    if (text !== undefined) {
      if (text.length <= MAX_INTERNED) {
        const known = this.ids.get(text);
        if (known !== undefined) {
          mode = REFERENCE;
          id = known;
        } else {
          mode = DEFINE;
        }
      } else {
        mode = INLINE;
        if (text.length * 3 > this.maxString) text = cut(text, this.maxString);
      }
      if (mode !== REFERENCE) reserve += text.length * 3;
    }
    const at = this.reserve(align(reserve));
    // Only once there is room: a stop while waiting must not leave the two tables apart.
    if (mode === DEFINE) id = this.define(text!);
    let length = 0;
    if (mode === INLINE || mode === DEFINE) length = this.bytes.write(text!, at + HEADER);
    const size = align(HEADER + length);
    const slot = at >> 2;
    const i32 = this.i32;
    i32[slot] = size;
    i32[slot + 1] = TYPE_CODE[event.type] | (mode << 8);
    this.f64[(at + 8) >> 3] = event.time;
    i32[slot + 4] = number;
    i32[slot + 5] = length;
    i32[slot + 6] = id;
    this.w = at + size;
    Atomics.store(this.control, WRITE, this.w);
  }

  /** Gives `text` the next id, forgetting the string that had it. */
  private define(text: string): number {
    const id = this.nextId;
    this.nextId = (id + 1) % TABLE_SIZE;
    const old = this.table[id];
    if (old !== undefined) this.ids.delete(old);
    this.table[id] = text;
    this.ids.set(text, id);
    return id;
  }

  /** Where a record of `size` bytes goes, waiting for the reader while the ring is full. */
  private reserve(size: number): number {
    for (;;) {
      const r = Atomics.load(this.control, READ);
      const w = this.w;
      if (w >= r) {
        // Free: [w, capacity) then [0, r). Room for a wrap marker is always left at the end.
        if (this.capacity - w >= size + 8) return w;
        if (r > size) {
          this.i32[w >> 2] = 0;
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
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly table: string[] = new Array<string>(TABLE_SIZE).fill('');
  private r = 0;

  constructor(buffers: RingBuffers) {
    this.control = new Int32Array(buffers.control);
    this.bytes = Buffer.from(buffers.data);
    this.i32 = new Int32Array(buffers.data);
    this.f64 = new Float64Array(buffers.data);
  }

  /** Asks the guest thread to stop at its next host call (or its next wait for room). */
  requestStop(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, READ);
  }

  /** Hands every complete record to `handle`, in order; returns how many. */
  drain(handle: (event: GuestEvent) => void): number {
    const end = Atomics.load(this.control, WRITE);
    let r = this.r;
    let n = 0;
    while (r !== end) {
      const size = this.i32[r >> 2]!;
      if (size === 0) {
        r = 0;
        continue;
      }
      handle(this.decode(r));
      r += size;
      n++;
    }
    this.r = r;
    Atomics.store(this.control, READ, r);
    Atomics.notify(this.control, READ);
    return n;
  }

  private decode(at: number): GuestEvent {
    const slot = at >> 2;
    const i32 = this.i32;
    const code = i32[slot + 1]!;
    const type = TYPES[code & 0xff]!;
    const mode = code >> 8;
    const time = this.f64[(at + 8) >> 3]!;
    const number = i32[slot + 4]!;
    let text = '';
    if (mode === REFERENCE) text = this.table[i32[slot + 6]!]!;
    else if (mode !== NO_TEXT) {
      text = this.bytes.toString('utf8', at + HEADER, at + HEADER + i32[slot + 5]!);
      if (mode === DEFINE) this.table[i32[slot + 6]!] = text;
    }
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
  return (n + 7) & ~7;
}

/** The longest prefix of `text` that is at most `maxBytes` of UTF-8, cut between characters. */
function cut(text: string, maxBytes: number): string {
  let end = Math.min(text.length, Math.floor(maxBytes / 3));
  if (end > 0 && end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end--;
  return text.slice(0, end);
}
