;; A reactor guest that traps: `run` opens a span, logs, and hits `unreachable` inside it.
(module
  (import "dylibso:observe/api" "span-enter" (func $span_enter (param i32 i32)))
  (import "dylibso:observe/api" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "doomed")         ;; 6
  (data (i32.const 16) "about to trap") ;; 13
  (func (export "run")
    (call $span_enter (i32.const 0) (i32.const 6))
    (call $log (i32.const 2) (i32.const 16) (i32.const 13))
    unreachable))
