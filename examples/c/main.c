/*
 * A C program instrumented by hand. Build it with clang and wasi-libc, run it under the host:
 *
 *   clang --target=wasm32-wasi --sysroot=/usr -O2 -o word-count.wasm examples/c/main.c
 *   echo "the quick brown fox" | wasm-observe run word-count.wasm
 */
#include <ctype.h>
#include <stdio.h>
#include "observe_api.h"

static int count_words(const char *text, size_t len) {
  observe_span_enter("count-words");
  int words = 0, in_word = 0;
  for (size_t i = 0; i < len; i++) {
    int letter = !isspace((unsigned char)text[i]);
    if (letter && !in_word) words++;
    in_word = letter;
  }
  char line[64];
  snprintf(line, sizeof line, "words.counted:%d|c", words);
  observe_statsd(line);
  observe_span_exit();
  return words;
}

int main(void) {
  observe_span_enter("word-count");
  observe_span_tags("lang:c,input:stdin");
  char buffer[4096];
  size_t len = fread(buffer, 1, sizeof buffer, stdin);
  if (len == 0) observe_log(OBSERVE_WARN, "empty input");
  else observe_log(OBSERVE_INFO, "read input");
  int words = count_words(buffer, len);
  printf("%d\n", words);
  observe_span_exit();
  return words == 0 ? 1 : 0;
}
