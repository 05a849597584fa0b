// @ts-nocheck -- AssemblyScript, compiled by asc; the root tsconfig would check it as TypeScript.
// A library module (no WASI): the control-flow shapes the instrumenter must survive.

// Recursion.
export function fib(n: i32): i32 {
  if (n < 2) return n;
  return fib(n - 1) + fib(n - 2);
}

// Early returns: each `return` leaves through a different path.
export function classify(n: i32): i32 {
  if (n < 0) return -1;
  if (n == 0) return 0;
  if (n > 100) return 2;
  return 1;
}

function isOdd(i: i32): bool {
  return (i & 1) == 1;
}

// A loop left by `br` (break) and restarted by `br` (continue).
export function sumOdd(limit: i32): i32 {
  let sum = 0;
  for (let i = 0; ; i++) {
    if (i >= limit) break;
    if (!isOdd(i)) continue;
    sum += i;
  }
  return sum;
}

function double(x: i32): i32 {
  return x * 2;
}

function negate(x: i32): i32 {
  return -x;
}

// A top-level initialiser: AssemblyScript runs it from the start function.
const ops: ((x: i32) => i32)[] = [double, negate, double];

// Indirect calls through the function table.
export function applyOps(x: i32): i32 {
  let acc = x;
  for (let i = 0; i < ops.length; i++) acc = ops[i](acc);
  return acc;
}

// A trap three frames deep.
export function explode(depth: i32): void {
  if (depth == 0) unreachable();
  explode(depth - 1);
}

// Explicit memory.grow; returns the previous size in pages.
export function growBy(pages: i32): i32 {
  return memory.grow(pages);
}

// Growth the runtime does on its own when an allocation does not fit.
export function allocate(bytes: i32): i32 {
  const buffer = new ArrayBuffer(bytes);
  store<u8>(changetype<usize>(buffer) + <usize>(bytes - 1), 7);
  return load<u8>(changetype<usize>(buffer) + <usize>(bytes - 1));
}

export function pages(): i32 {
  return memory.size();
}
