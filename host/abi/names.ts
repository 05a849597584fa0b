/**
 * Function names from a module's `name` custom section (function-names subsection, id 1), which
 * is what instrument-API function indices refer to. A malformed section yields what was read
 * before the damage; it never throws.
 */

const FUNCTION_NAMES_SUBSECTION = 1;
const utf8 = new TextDecoder();

export function functionNames(module: WebAssembly.Module): Map<number, string> {
  const names = new Map<number, string>();
  for (const section of WebAssembly.Module.customSections(module, 'name')) {
    parseNameSection(new Uint8Array(section), names);
  }
  return names;
}

export function parseNameSection(bytes: Uint8Array, into: Map<number, string>): void {
  const r = new Reader(bytes);
  try {
    while (!r.done) {
      const id = r.byte();
      const size = r.u32();
      const end = r.pos + size;
      if (id === FUNCTION_NAMES_SUBSECTION) {
        const count = r.u32();
        for (let i = 0; i < count; i++) {
          const index = r.u32();
          into.set(index, r.string());
        }
      }
      r.pos = end;
    }
  } catch {
    // Truncated or malformed: keep the names read so far.
  }
}

class Reader {
  pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  byte(): number {
    if (this.pos >= this.bytes.length) throw new RangeError('name section truncated');
    return this.bytes[this.pos++]!;
  }

  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
    }
    throw new RangeError('LEB128 too long');
  }

  string(): string {
    const len = this.u32();
    if (this.pos + len > this.bytes.length) throw new RangeError('name section truncated');
    const s = utf8.decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
}
