/**
 * Trace and span ids. Span ids come from a xorshift128 generator seeded once from the platform's
 * CSPRNG: ids only need to be unique and random enough for sampling, and a `crypto` call per span
 * would cost more than the rest of the span.
 */
// The state lives in a typed array: module-level numbers above 2^31 would be boxed on every store.
// Seeded with the first trace id, not at load: Cloudflare Workers refuse random values at load.
const state = new Int32Array([1, 0, 0, 0]);
let seeded = false;

function seed(): void {
  crypto.getRandomValues(state);
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1; // the all-zero state is a fixed point
  seeded = true;
}

/** Marsaglia's xorshift128: period 2^128 − 1, so ids never repeat in practice. Returns int32 bits. */
function next32(): number {
  const s = state;
  const t = s[0]! ^ (s[0]! << 11);
  s[0] = s[1]!;
  s[1] = s[2]!;
  s[2] = s[3]!;
  const w = s[3]!;
  s[3] = w ^ (w >>> 19) ^ (t ^ (t >>> 8));
  return s[3]!;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Eight hex digits of a 32-bit word (signed or not: only its bits are read). */
function hex8(n: number): string {
  return HEX[n >>> 24]! + HEX[(n >>> 16) & 0xff]! + HEX[(n >>> 8) & 0xff]! + HEX[n & 0xff]!;
}

/** 32 random bits of a span id; two make one. */
export function spanIdWord(): number {
  if (!seeded) seed();
  return next32();
}

/** The hex form of a span id made of two words (a zero high word becomes 1: all-zero is invalid). */
export function spanIdHex(hi: number, lo: number): string {
  return hex8(hi === 0 ? 1 : hi) + hex8(lo);
}

export function newTraceId(): string {
  if (!seeded) seed();
  const words = new Uint32Array(4);
  crypto.getRandomValues(words);
  if (words[0] === 0) words[0] = 1;
  return Array.from(words, hex8).join('');
}
