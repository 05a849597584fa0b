;; A reactor guest for the embedding example: `handle(n)` serves one request, reporting a span
;; with tags, a log line and a timing metric through dylibso:observe/api.
(module
  (import "dylibso:observe/api" "span-enter" (func $span_enter (param i32 i32)))
  (import "dylibso:observe/api" "span-exit" (func $span_exit))
  (import "dylibso:observe/api" "span-tags" (func $span_tags (param i32 i32)))
  (import "dylibso:observe/api" "log" (func $log (param i32 i32 i32)))
  (import "dylibso:observe/api" "metric" (func $metric (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "handle")             ;; 6
  (data (i32.const 8) "lookup")             ;; 6
  (data (i32.const 16) "cache:miss")        ;; 10
  (data (i32.const 32) "loaded from store") ;; 17
  (data (i32.const 64) "lookups:1|c")       ;; 11
  (data (i32.const 80) "cache:hit")         ;; 9

  ;; Even request numbers hit the cache, odd ones miss and take the slow path.
  (func (export "handle") (param $n i32) (result i32)
    (call $span_enter (i32.const 0) (i32.const 6))
    (call $metric (i32.const 1) (i32.const 64) (i32.const 11))
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (call $span_tags (i32.const 16) (i32.const 10))
        (call $span_enter (i32.const 8) (i32.const 6))
        (call $log (i32.const 3) (i32.const 32) (i32.const 17))
        (call $span_exit))
      (else (call $span_tags (i32.const 80) (i32.const 9))))
    (call $span_exit)
    (i32.mul (local.get $n) (i32.const 10))))
