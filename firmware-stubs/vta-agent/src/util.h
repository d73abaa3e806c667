/* util.h - logging (stderr only), monotonic time, child commands. */
#ifndef VTA_AGENT_UTIL_H
#define VTA_AGENT_UTIL_H
#include <stddef.h>
#include <stdint.h>

enum { LOG_QUIET = -1, LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };
extern int g_log_level;
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

uint64_t mono_us(void); /* CLOCK_MONOTONIC in microseconds */
void sleep_us(uint32_t us);

/* Run "/bin/sh -c cmd" with stdin from /dev/null and stdout redirected to stderr (stdout may
 * carry the protocol). Returns the exit status (0..255), 128+signal when killed by a signal,
 * -1 when it could not be started, -2 when it ran longer than timeout_ms and was killed. */
int run_command(const char *cmd, uint32_t timeout_ms);
#endif
