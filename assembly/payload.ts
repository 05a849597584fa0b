// Builds the bytes of one host call without touching the heap. Text is UTF-8 encoded into a
// static scratch buffer; a payload that does not fit is measured in the same pass, then built
// again into one heap buffer of exactly that size (the only allocation, and only when too long).

import { dtoa_buffered, itoa_buffered } from "~lib/util/number";

/** Size of the static scratch buffer: payloads up to this many UTF-8 bytes never allocate. */
export const SCRATCH_BYTES: usize = 1024;

const scratch = memory.data(<i32>SCRATCH_BYTES);
// Number formatting writes UTF-16; 64 code units hold any i64 or f64 (dtoa needs at most 28).
const digits = memory.data(128);

let base: usize = 0;
let cap: usize = 0;
let pos: usize = 0;

/** Start a payload in the scratch buffer. */
export function begin(): void {
  base = scratch;
  cap = SCRATCH_BYTES;
  pos = 0;
}

/** True while everything written so far is in the buffer. */
export function fits(): bool {
  return pos <= cap;
}

/** Move to a heap buffer sized to what was measured; the caller writes the payload again. */
export function spill(): void {
  base = changetype<usize>(new ArrayBuffer(<i32>pos));
  cap = pos;
  pos = 0;
}

export function start(): usize {
  return base;
}

export function length(): usize {
  return pos;
}

export function writeString(s: string): void {
  const units = s.length;
  // Three bytes per UTF-16 unit is the most UTF-8 can need, so the exact length is only
  // computed when the string might not fit.
  if (pos + (<usize>units) * 3 <= cap) {
    pos += String.UTF8.encodeUnsafe(changetype<usize>(s), units, base + pos);
    return;
  }
  const bytes = <usize>String.UTF8.byteLength(s);
  if (pos + bytes <= cap) String.UTF8.encodeUnsafe(changetype<usize>(s), units, base + pos);
  pos += bytes;
}

export function writeByte(b: u8): void {
  if (pos < cap) store<u8>(base + pos, b);
  pos++;
}

export function writeInt(value: i64): void {
  writeDigits(itoa_buffered<i64>(digits, value));
}

/** Integral values print without a fraction (`5`, not `5.0`); others as shortest decimal. */
export function writeFloat(value: f64): void {
  if (value == Math.trunc(value) && Math.abs(value) < 9007199254740992.0) {
    writeInt(<i64>value);
  } else {
    writeDigits(dtoa_buffered<f64>(digits, value));
  }
}

function writeDigits(units: u32): void {
  const n = <usize>units;
  if (pos + n <= cap) {
    for (let i: usize = 0; i < n; i++) store<u8>(base + pos + i, load<u16>(digits + (i << 1)));
  }
  pos += n;
}
