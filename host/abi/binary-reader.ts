/**
 * A cursor over WebAssembly binary data: bytes, unsigned LEB128, length-prefixed strings. Every
 * read is bounds-checked and throws a RangeError past the end, so callers can stop cleanly on a
 * truncated or damaged module.
 */
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

export class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  byte(): number {
    if (this.pos >= this.bytes.length) throw new RangeError(`unexpected end at byte ${this.pos}`);
    return this.bytes[this.pos++]!;
  }

  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
    }
    throw new RangeError(`LEB128 too long at byte ${this.pos}`);
  }

  /** Signed LEB128 of up to 64 bits, value discarded (heap types, init expressions). */
  skipLeb(): void {
    while (this.byte() & 0x80);
  }

  take(length: number): Uint8Array {
    if (this.pos + length > this.bytes.length) throw new RangeError(`unexpected end at byte ${this.pos}`);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(): string {
    return utf8Decoder.decode(this.take(this.u32()));
  }
}
