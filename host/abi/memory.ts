/**
 * Safe reads of guest strings. A guest hands the host a (pointer, length) pair; every pair is
 * checked against the memory's current size before a single byte is read, and bad pairs become a
 * {@link ReadProblem} instead of an exception.
 */

/** Why a string could not be read as the guest asked. */
export type ReadProblem =
  | 'no-memory'
  | 'out-of-bounds'
  | 'pointer-over-4gib'
  | 'length-over-cap'
  | 'invalid-utf8';

export interface ReadResult {
  /** The decoded text (possibly truncated or with U+FFFD replacements); undefined if unreadable. */
  text: string | undefined;
  problem: ReadProblem | undefined;
}

const fatalDecoder = new TextDecoder('utf-8', { fatal: true });
const lossyDecoder = new TextDecoder('utf-8');

/** Strings up to this length take the ASCII fast path (TextDecoder costs ~300 ns a call). */
const FAST_PATH_MAX = 96;
/**
 * Guests pass the same static strings (span names, log templates, metric lines) over and over.
 * Short reads are cached by address and reused while the bytes there are unchanged: comparing a
 * few dozen bytes costs less than building a new string.
 */
const CACHE_MAX_BYTES = 64;
const CACHE_SLOTS = 256;

/** One cached string. Its byte buffer is allocated once and refilled on every miss. */
class CacheSlot {
  ptr = -1;
  length = 0;
  /** A copy of the bytes the text was decoded from. */
  readonly copy = new Uint8Array(CACHE_MAX_BYTES);
  readonly bytes = new DataView(this.copy.buffer);
  text = '';
}

export class GuestMemory {
  private memory: WebAssembly.Memory | undefined;
  private bytes: Uint8Array = new Uint8Array(0);
  /** The same memory as `bytes`, for comparing four bytes at a time. */
  private data: DataView = new DataView(new ArrayBuffer(0));
  /** Reused for the ASCII fast path so decoding a short string allocates only the string. */
  private readonly codes: number[] = [];
  private readonly result: ReadResult = { text: undefined, problem: undefined };
  private readonly cache: CacheSlot[] = Array.from({ length: CACHE_SLOTS }, () => new CacheSlot());

  constructor(readonly maxStringBytes: number) {}

  bind(memory: WebAssembly.Memory): void {
    this.memory = memory;
    this.bytes = new Uint8Array(0);
  }

  /**
   * Reads `len` bytes at `ptr` as UTF-8. Pointers arrive as signed i32 (or as a BigInt from the
   * legacy i64 ABI) and are taken as unsigned. The returned object is reused by the next call.
   */
  read(ptr: number | bigint, len: number | bigint): ReadResult {
    const r = this.result;
    r.text = undefined;
    r.problem = undefined;
    let view = this.bytes;
    if (view.byteLength === 0) {
      // Unbound, or detached by memory.grow: look at the memory itself.
      const fresh = this.view();
      if (fresh === undefined) {
        r.problem = 'no-memory';
        return r;
      }
      view = fresh;
    }
    let start: number;
    if (typeof ptr === 'bigint') {
      // A legacy i64 pointer is a 32-bit address in practice; anything above cannot be in memory.
      if (ptr < 0n || ptr > 0xffffffffn) {
        r.problem = 'pointer-over-4gib';
        return r;
      }
      start = Number(ptr);
    } else {
      start = ptr >>> 0;
    }
    // A module may declare the import with other types than the ABI's; read them as u32 anyway.
    let length = typeof len === 'number' ? len >>> 0 : Number(len) >>> 0;
    if (start > view.length || length > view.length - start) {
      // A shared memory grows without detaching our view: look once more at the real size.
      const fresh = this.view()!;
      if (start > fresh.length || length > fresh.length - start) {
        r.problem = 'out-of-bounds';
        return r;
      }
      view = fresh;
    }
    if (length > this.maxStringBytes) {
      r.problem = 'length-over-cap';
      length = utf8Boundary(view, start, this.maxStringBytes);
    }
    const cacheable = length <= CACHE_MAX_BYTES && r.problem === undefined;
    const slotIndex = (start ^ (start >>> 8) ^ length) & (CACHE_SLOTS - 1);
    const slot = this.cache[slotIndex]!;
    if (cacheable && slot.ptr === start && slot.length === length && sameBytes(slot.bytes, this.data, start, length)) {
      r.text = slot.text;
      return r;
    }
    this.decode(view, start, length, r);
    if (cacheable && r.problem === undefined) {
      // Refilled in place: a guest that writes new text to one buffer (a scratch buffer) misses
      // every time, and must not cost an allocation per call for it.
      slot.copy.set(view.subarray(start, start + length));
      slot.ptr = start;
      slot.length = length;
      slot.text = r.text!;
    }
    return r;
  }

  private decode(view: Uint8Array, start: number, length: number, r: ReadResult): void {
    if (length <= FAST_PATH_MAX) {
      const codes = this.codes;
      codes.length = length;
      let ascii = true;
      for (let i = 0; i < length; i++) {
        const b = view[start + i]!;
        if (b >= 0x80) {
          ascii = false;
          break;
        }
        codes[i] = b;
      }
      if (ascii) {
        r.text = String.fromCharCode.apply(null, codes);
        return;
      }
    }
    const slice = view.subarray(start, start + length);
    try {
      r.text = fatalDecoder.decode(slice);
    } catch {
      r.text = lossyDecoder.decode(slice);
      r.problem ??= 'invalid-utf8';
    }
  }

  /**
   * A fresh byte view of the memory. Reading `memory.buffer` costs ~100 ns, so `read` calls this
   * only when its view was detached by `memory.grow` (its length drops to 0) or looks too short.
   */
  private view(): Uint8Array | undefined {
    const memory = this.memory;
    if (memory === undefined) return undefined;
    this.bytes = new Uint8Array(memory.buffer);
    this.data = new DataView(memory.buffer);
    return this.bytes;
  }
}

/** Whether memory at `start` still holds the cached bytes; four at a time, then the tail. */
function sameBytes(cached: DataView, memory: DataView, start: number, length: number): boolean {
  let i = 0;
  for (; i + 4 <= length; i += 4) if (cached.getInt32(i) !== memory.getInt32(start + i)) return false;
  for (; i < length; i++) if (cached.getUint8(i) !== memory.getUint8(start + i)) return false;
  return true;
}

/** The largest length ≤ `max` that does not cut a UTF-8 sequence in two. */
function utf8Boundary(view: Uint8Array, start: number, max: number): number {
  let end = max;
  // Continuation bytes are 10xxxxxx; back up to the lead byte of the cut sequence.
  while (end > 0 && end > max - 4 && (view[start + end]! & 0xc0) === 0x80) end--;
  return end;
}
