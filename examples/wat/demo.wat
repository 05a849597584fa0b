;; A hand-written WASI command that uses every manual Observe import: nested spans, tags,
;; logs at several levels and statsd metrics. Run it with `wasm-observe run examples/wat/demo.wat`.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "dylibso:observe/api" "span-enter" (func $span_enter (param i32 i32)))
  (import "dylibso:observe/api" "span-exit" (func $span_exit))
  (import "dylibso:observe/api" "span-tags" (func $span_tags (param i32 i32)))
  (import "dylibso:observe/api" "log" (func $log (param i32 i32 i32)))
  (import "dylibso:observe/api" "metric" (func $metric (param i32 i32 i32)))
  (memory (export "memory") 1)

  (data (i32.const 0) "handle-request")            ;; 14
  (data (i32.const 16) "method:GET,path:/greet")    ;; 22
  (data (i32.const 48) "request received")          ;; 16
  (data (i32.const 64) "parse")                     ;; 5
  (data (i32.const 72) "render")                    ;; 6
  (data (i32.const 80) "template cache miss")       ;; 19
  (data (i32.const 104) "requests:1|c|#route:greet") ;; 25
  (data (i32.const 136) "render.time:3.5|ms")       ;; 18
  (data (i32.const 160) "hello from the guest\n")   ;; 21
  (data (i32.const 184) "status:200")               ;; 10
  (data (i32.const 200) "respond")                  ;; 7

  (func $write_greeting
    ;; iovec at 400: { ptr 160, len 21 }
    (i32.store (i32.const 400) (i32.const 160))
    (i32.store (i32.const 404) (i32.const 21))
    (drop (call $fd_write (i32.const 1) (i32.const 400) (i32.const 1) (i32.const 408))))

  (func (export "_start")
    (call $span_enter (i32.const 0) (i32.const 14))
    (call $span_tags (i32.const 16) (i32.const 22))
    (call $log (i32.const 3) (i32.const 48) (i32.const 16))
    (call $metric (i32.const 1) (i32.const 104) (i32.const 25))

    (call $span_enter (i32.const 64) (i32.const 5))
    (call $log (i32.const 4) (i32.const 64) (i32.const 5))
    (call $span_exit)

    (call $span_enter (i32.const 72) (i32.const 6))
    (call $log (i32.const 2) (i32.const 80) (i32.const 19))
    (call $write_greeting)
    (call $metric (i32.const 1) (i32.const 136) (i32.const 18))
    (call $span_exit)

    (call $span_enter (i32.const 200) (i32.const 7))
    (call $span_tags (i32.const 184) (i32.const 10))
    (call $span_exit)

    (call $span_exit))
)
