/* A reactor whose output sits in stdio's buffer until destructors flush it. */
#include <stdio.h>

__attribute__((export_name("greet"))) int greet(int n) {
  printf("hello %d", n);
  return n + 1;
}
