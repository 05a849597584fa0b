// @ts-nocheck -- AssemblyScript, compiled by asc; the root tsconfig would check it as TypeScript.
// A WASI reactor: `_initialize` once, then the host calls exports.

let calls = 0;

function describe(n: i32): string {
  if (n % 15 == 0) return 'fizzbuzz';
  if (n % 5 == 0) return 'buzz';
  if (n % 3 == 0) return 'fizz';
  return n.toString();
}

export function handle(n: i32): i32 {
  calls++;
  console.log(describe(n));
  return calls;
}
