/* log: structured JSON log lines on stderr.
 *
 * One event per line: {"ts":"...","level":"info","event":"http.request", ...fields}.
 * Fields are key/value C strings ending with NULL. Never pass a token, secret key,
 * session token or signature as a value: callers log identities and outcomes only.
 * gh_log_redact() exists for the places that must mention such a value. */
#ifndef GH_BASE_LOG_H
#define GH_BASE_LOG_H

#include <stdint.h>

enum gh_log_level { GH_LOG_DEBUG, GH_LOG_INFO, GH_LOG_WARN, GH_LOG_ERROR };

void gh_log_set_level(enum gh_log_level min);
/* Replaces the time source used for the "ts" field (tests pin it); NULL = wall clock. */
void gh_log_set_clock(int64_t (*now)(void));
void gh_log(enum gh_log_level level, const char *event, ...) __attribute__((sentinel));

#define gh_log_info(...) gh_log(GH_LOG_INFO, __VA_ARGS__, (const char *)0)
#define gh_log_warn(...) gh_log(GH_LOG_WARN, __VA_ARGS__, (const char *)0)
#define gh_log_error(...) gh_log(GH_LOG_ERROR, __VA_ARGS__, (const char *)0)
#define gh_log_debug(...) gh_log(GH_LOG_DEBUG, __VA_ARGS__, (const char *)0)

#endif
