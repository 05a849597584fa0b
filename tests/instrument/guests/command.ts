// @ts-nocheck -- AssemblyScript, compiled by asc; the root tsconfig would check it as TypeScript.
// A WASI command: prints, allocates, and exits with a chosen code.

function fib(n: i32): i32 {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function render(values: i32[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += values[i].toString();
  }
  return out;
}

const values: i32[] = [];
for (let i = 0; i < 15; i++) values.push(fib(i));
console.log('fib: ' + render(values));

// Two megabytes: more than the initial memory, so the allocator grows it.
const big = new Uint8Array(2 << 20);
big[big.length - 1] = 42;
console.log('last byte: ' + big[big.length - 1].toString());

process.exit(3);
