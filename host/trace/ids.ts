/**
 * Trace and span ids. Span ids come from a xorshift128 generator seeded once from the platform's
 * CSPRNG: ids only need to be unique and random enough for sampling, and a `crypto` call per span
 * would cost more than the rest of the span.
 */
const state = new Uint32Array(4);
crypto.getRandomValues(state);
if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1; // the all-zero state is a fixed point
let x = state[0]!;
let y = state[1]!;
let z = state[2]!;
let w = state[3]!;

/** Marsaglia's xorshift128: period 2^128 − 1, so ids never repeat in practice. */
function next32(): number {
  const t = x ^ (x << 11);
  x = y;
  y = z;
  z = w;
  w = (w ^ (w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
  return w;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(n: number): string {
  return HEX[n >>> 24]! + HEX[(n >>> 16) & 0xff]! + HEX[(n >>> 8) & 0xff]! + HEX[n & 0xff]!;
}

export function newSpanId(): string {
  let hi = next32();
  if (hi === 0) hi = 1; // the all-zero id is invalid
  return hex8(hi) + hex8(next32());
}

export function newTraceId(): string {
  const words = new Uint32Array(4);
  crypto.getRandomValues(words);
  if (words[0] === 0) words[0] = 1;
  return Array.from(words, hex8).join('');
}
