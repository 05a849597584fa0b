/*
 * The Observe API for C guests: the five imports of `dylibso:observe/api` and small wrappers
 * that take NUL-terminated strings. Log levels follow the ABI table (1 = ERROR … 5 = TRACE).
 */
#ifndef OBSERVE_API_H
#define OBSERVE_API_H

#include <stdint.h>
#include <string.h>

#define OBSERVE_IMPORT(name) __attribute__((import_module("dylibso:observe/api"), import_name(name)))

OBSERVE_IMPORT("span-enter") extern void observe_span_enter_raw(const char *ptr, uint32_t len);
OBSERVE_IMPORT("span-exit") extern void observe_span_exit(void);
OBSERVE_IMPORT("span-tags") extern void observe_span_tags_raw(const char *ptr, uint32_t len);
OBSERVE_IMPORT("log") extern void observe_log_raw(uint32_t level, const char *ptr, uint32_t len);
OBSERVE_IMPORT("metric") extern void observe_metric_raw(uint32_t format, const char *ptr, uint32_t len);

enum observe_log_level { OBSERVE_ERROR = 1, OBSERVE_WARN = 2, OBSERVE_INFO = 3, OBSERVE_DEBUG = 4, OBSERVE_TRACE = 5 };
enum { OBSERVE_METRIC_STATSD = 1 };

static inline void observe_span_enter(const char *name) { observe_span_enter_raw(name, strlen(name)); }
static inline void observe_span_tags(const char *tags) { observe_span_tags_raw(tags, strlen(tags)); }
static inline void observe_log(enum observe_log_level level, const char *msg) { observe_log_raw(level, msg, strlen(msg)); }
static inline void observe_statsd(const char *line) { observe_metric_raw(OBSERVE_METRIC_STATSD, line, strlen(line)); }

#endif
