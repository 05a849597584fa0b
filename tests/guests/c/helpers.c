/*
 * Manual spans opened and closed through helper functions, the way C guests usually write them
 * (Dylibso's C header does the same in observe_api_span_enter). The helpers are kept as
 * functions (noinline), so once instrumented every span-enter and span-exit arrives inside a
 * function span of its own.
 */
#include <stdint.h>
#include <string.h>

#define OBSERVE_IMPORT(name) __attribute__((import_module("dylibso:observe/api"), import_name(name)))
OBSERVE_IMPORT("span-enter") extern void observe_span_enter(const char *ptr, uint32_t len);
OBSERVE_IMPORT("span-exit") extern void observe_span_exit(void);
OBSERVE_IMPORT("log") extern void observe_log(uint32_t level, const char *ptr, uint32_t len);

#define HELPER __attribute__((noinline))

HELPER void my_span_enter(const char *name) { observe_span_enter(name, strlen(name)); }
HELPER void my_span_exit(void) { observe_span_exit(); }
HELPER void my_log(const char *msg) { observe_log(3, msg, strlen(msg)); }

/* A helper chain two deep. */
HELPER void traced_enter(const char *name) { my_span_enter(name); }
HELPER void traced_exit(void) { my_span_exit(); }

HELPER int work(int n) {
  my_log("working");
  return n * 2;
}

/* Early returns inside a manual span. */
HELPER int checked(int n) {
  my_span_enter("check");
  if (n < 0) {
    my_span_exit();
    return -1;
  }
  if (n == 0) {
    my_span_exit();
    return 0;
  }
  int r = work(n);
  my_span_exit();
  return r;
}

/* Opens a span at the bottom of a recursion; the caller closes it after the recursion unwinds. */
HELPER int recurse(int depth) {
  if (depth == 0) {
    my_span_enter("bottom");
    my_log("at the bottom");
    return 0;
  }
  return recurse(depth - 1) + 1;
}

/* span-enter and span-exit from different functions. */
HELPER void open_request(void) { traced_enter("request"); }
HELPER void close_request(void) { traced_exit(); }

int main(void) {
  open_request();
  work(1);
  my_span_enter("nested");
  work(2);
  my_span_exit();
  int sum = checked(-1) + checked(0) + checked(3);
  int depth = recurse(3);
  my_span_exit();
  close_request();
  return sum == 5 && depth == 3 ? 0 : 1;
}
