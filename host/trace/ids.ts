/**
 * Trace and span ids. Span ids come from a xorshift generator seeded once from the platform's
 * CSPRNG: ids only need to be unique and unguessable enough for sampling, and a `crypto` call per
 * span would cost more than the rest of the span.
 */
const seed = new Uint32Array(4);
crypto.getRandomValues(seed);
let s0 = seed[0]! | 1;
let s1 = seed[1]! | 1;

function next32(): number {
  // xorshift64 split over two 32-bit halves.
  let x = s0;
  const y = s1;
  s0 = y;
  x ^= x << 23;
  x ^= x >>> 17;
  x ^= y ^ (y >>> 26);
  s1 = x;
  return (s0 + s1) >>> 0;
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
