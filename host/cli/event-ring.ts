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
import { Interrupted, type AnomalyKind, type EventSink } from '../events.ts';

/** Int32 slots of the control block. */
const WRITE = 0;
const READ = 1;
const STOP = 2;
const CONTROL_SLOTS = 4;
const HEADER = 32;

/** Event codes in a record. */
const SPAN_ENTER = 0;
const SPAN_EXIT = 1;
const SPAN_TAGS = 2;
const LOG = 3;
const METRIC = 4;
const FUNCTION_ENTER = 5;
const FUNCTION_EXIT = 6;
const MEMORY_GROW = 7;
const ANOMALY = 8;

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


/** The guest thread's end: an event sink that writes each event into the ring. */
export class RingWriter implements EventSink {
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

  spanEnter(time: number, name: string): void {
    this.write(SPAN_ENTER, time, 0, name);
  }
  spanExit(time: number): void {
    this.write(SPAN_EXIT, time, 0, undefined);
  }
  spanTags(time: number, tags: string): void {
    this.write(SPAN_TAGS, time, 0, tags);
  }
  log(time: number, level: number, message: string): void {
    this.write(LOG, time, level, message);
  }
  metric(time: number, format: number, text: string): void {
    this.write(METRIC, time, format, text);
  }
  functionEnter(time: number, index: number): void {
    this.write(FUNCTION_ENTER, time, index, undefined);
  }
  functionExit(time: number, index: number): void {
    this.write(FUNCTION_EXIT, time, index, undefined);
  }
  memoryGrow(time: number, pages: number): void {
    this.write(MEMORY_GROW, time, pages, undefined);
  }
  anomaly(time: number, kind: AnomalyKind, detail: string): void {
    this.write(ANOMALY, time, 0, `${kind}\u0000${detail}`);
  }

  /** Writes one record; once the other thread asked for a stop, throws {@link Interrupted} instead. */
  private write(code: number, time: number, number: number, text: string | undefined): void {
    if (this.stopRequested) throw new Interrupted();
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
    i32[slot + 1] = code | (mode << 8);
    this.f64[(at + 8) >> 3] = time;
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

  /** Hands every complete record to `sink`, in order; returns how many. */
  drain(sink: EventSink): number {
    const end = Atomics.load(this.control, WRITE);
    let r = this.r;
    let n = 0;
    while (r !== end) {
      const size = this.i32[r >> 2]!;
      if (size === 0) {
        r = 0;
        continue;
      }
      this.deliver(r, sink);
      r += size;
      n++;
    }
    this.r = r;
    Atomics.store(this.control, READ, r);
    Atomics.notify(this.control, READ);
    return n;
  }

  private deliver(at: number, sink: EventSink): void {
    const slot = at >> 2;
    const i32 = this.i32;
    const code = i32[slot + 1]!;
    const mode = code >> 8;
    const time = this.f64[(at + 8) >> 3]!;
    const number = i32[slot + 4]!;
    let text = '';
    if (mode === REFERENCE) text = this.table[i32[slot + 6]!]!;
    else if (mode !== NO_TEXT) {
      text = this.bytes.toString('utf8', at + HEADER, at + HEADER + i32[slot + 5]!);
      if (mode === DEFINE) this.table[i32[slot + 6]!] = text;
    }
    switch (code & 0xff) {
      case SPAN_ENTER:
        return sink.spanEnter(time, text);
      case SPAN_EXIT:
        return sink.spanExit(time);
      case SPAN_TAGS:
        return sink.spanTags(time, text);
      case LOG:
        return sink.log(time, number, text);
      case METRIC:
        return sink.metric(time, number, text);
      case FUNCTION_ENTER:
        return sink.functionEnter(time, number >>> 0);
      case FUNCTION_EXIT:
        return sink.functionExit(time, number >>> 0);
      case MEMORY_GROW:
        return sink.memoryGrow(time, number);
      case ANOMALY: {
        const nul = text.indexOf('\u0000');
        return sink.anomaly(time, text.slice(0, nul) as AnomalyKind, text.slice(nul + 1));
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
