/**
 * A hand-written module with what AssemblyScript does not produce: an unnamed function, a
 * multi-value result, a tail-recursive function, br_table, an exported table and mutable global,
 * an imported function, and a start function.
 */
import { watToWasm } from '../../host/node/load.ts';

const WAT = `(module
  (import "env" "offset" (func $offset (result i32)))
  (type $pair (func (param i32) (result i32 i32)))
  (table (export "table") 2 funcref)
  (elem (i32.const 0) $split 2)
  (global $counter (export "counter") (mut i32) (i32.const 0))
  (memory (export "memory") 1)

  ;; Multi-value: (x, x + offset()).
  (func $split (type $pair) (param $x i32) (result i32 i32)
    (local.get $x)
    (i32.add (local.get $x) (call $offset)))

  ;; Unnamed (index 2, counting the import), reached through the table.
  (func (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))

  (func $viaTable (export "viaTable") (param $x i32) (result i32)
    (if (result i32) (i32.and (local.get $x) (i32.const 1))
      (then (call_indirect (param i32) (result i32) (local.get $x) (i32.const 1)))
      (else (i32.add (call_indirect (type $pair) (local.get $x) (i32.const 0))))))

  ;; br_table with a branch straight out of the function.
  (func $select (export "select") (param $x i32) (result i32)
    (block $two
      (block $one
        (block $zero
          (br_table $zero $one $two 0 (local.get $x)))
        (return (i32.const 100)))
      (br 1 (i32.const 200)))
    (i32.const 300))

  ;; Tail recursion a million deep: only runs because the calls are tail calls.
  (func $countdown (export "countdown") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 42))
      (else (return_call $countdown (i32.sub (local.get $n) (i32.const 1))))))

  (func $init (global.set $counter (i32.const 5)))
  (start $init))`;

export async function edgeCases(): Promise<{ bytes: Uint8Array; env: () => WebAssembly.Imports }> {
  return { bytes: await watToWasm(WAT, 'edge-cases.wat'), env: () => ({ env: { offset: () => 10 } }) };
}
