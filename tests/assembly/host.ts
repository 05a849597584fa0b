// What the recording host (recorder.js) saw, read back from inside the guest.

// @ts-ignore: decorator
@external("observe_test", "count") declare function count(): i32;
// @ts-ignore: decorator
@external("observe_test", "total") declare function total(): i32;
// @ts-ignore: decorator
@external("observe_test", "kind") declare function kind(i: i32): i32;
// @ts-ignore: decorator
@external("observe_test", "number") declare function number(i: i32): i32;
// @ts-ignore: decorator
@external("observe_test", "pointer") declare function pointer(i: i32): usize;
// @ts-ignore: decorator
@external("observe_test", "length") declare function length(i: i32): i32;
// @ts-ignore: decorator
@external("observe_test", "byte") declare function byte(i: i32, j: i32): u8;
// @ts-ignore: decorator
@external("observe_test", "clear") export declare function clearCalls(): void;
// @ts-ignore: decorator
@external("observe_test", "record") export declare function setRecording(on: bool): void;

export { count as callCount, total as totalCalls };

export const SPAN_ENTER = 1;
export const SPAN_EXIT = 2;
export const SPAN_TAGS = 3;
export const LOG = 4;
export const METRIC = 5;

/** One host call as the host received it. */
export class Call {
  constructor(
    public kind: i32,
    public number: i32,
    public pointer: usize,
    public bytes: u8[],
  ) {}

  /** The bytes read as UTF-8, for readable assertions next to the exact-byte ones. */
  get text(): string {
    const buf = new ArrayBuffer(this.bytes.length);
    for (let i = 0; i < this.bytes.length; i++) store<u8>(changetype<usize>(buf) + i, this.bytes[i]);
    return String.UTF8.decode(buf);
  }
}

export function call(i: i32): Call {
  const n = length(i);
  const bytes = new Array<u8>(n);
  for (let j = 0; j < n; j++) bytes[j] = byte(i, j);
  return new Call(kind(i), number(i), pointer(i), bytes);
}

export function lastCall(): Call {
  return call(count() - 1);
}

/** Bytes of an ASCII string, built without String.UTF8 so the tests do not check it against itself. */
export function ascii(s: string): u8[] {
  const out = new Array<u8>(s.length);
  for (let i = 0; i < s.length; i++) out[i] = <u8>s.charCodeAt(i);
  return out;
}

/**
 * The heap top under the stub runtime, which only ever bumps it: the address of a fresh empty
 * block. Two probes with nothing in between differ by one block; anything more was allocated.
 */
export function heapTop(): usize {
  return changetype<usize>(new ArrayBuffer(0));
}

/** Bytes allocated between two probes, not counting the probe itself. */
export function heapGrowth(before: usize): usize {
  const after = heapTop();
  const probe = heapTop() - after;
  return after - before - probe;
}
