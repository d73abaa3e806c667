/* test_main.c - runs every registered test; the last line is "<label>: N passed, N failed". */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crc32.h"
#include "t.h"
#include "util.h"

int t_cur_failed;
const char *t_agent_path = "build/host/vta-agent";
static const char *label = "vta-agent";
static const char *cur_name = "";
static int n_passed, n_failed;

void t_fail(const char *file, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    printf("    %s:%d: check failed: %s\n", file, line, msg);
    fflush(stdout);
    t_cur_failed = 1;
}

static void on_alarm(int sig)
{
    (void)sig;
    char line[256];
    int n = snprintf(line, sizeof(line), "FAIL %s (timed out after 60 s)\n%s: %d passed, %d failed\n", cur_name, label,
                     n_passed, n_failed + 1);
    ssize_t w = write(1, line, (size_t)n);
    (void)w;
    _exit(1);
}

typedef struct {
    const char *name;
    void (*fn)(void);
} test_t;

#define TEST_ENTRY(name) {#name, test_##name},
static const test_t tests[] = {UNIT_TESTS(TEST_ENTRY)
#ifndef NO_E2E
                                   E2E_TESTS(TEST_ENTRY)
#endif
};

int main(int argc, char **argv)
{
    const char *filter = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--agent") && i + 1 < argc)
            t_agent_path = argv[++i];
        else if (!strcmp(argv[i], "--label") && i + 1 < argc)
            label = argv[++i];
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            filter = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--agent PATH] [--label TEXT] [--only SUBSTRING]\n", argv[0]);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    g_log_level = getenv("VTA_AGENT_TEST_LOG") ? LOG_DEBUG : LOG_QUIET;
    crc32_init();
    signal(SIGPIPE, SIG_IGN);
    signal(SIGALRM, on_alarm);
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        if (filter && !strstr(tests[i].name, filter))
            continue;
        cur_name = tests[i].name;
        t_cur_failed = 0;
        alarm(60);
        tests[i].fn();
        alarm(0);
        if (t_cur_failed) {
            n_failed++;
            printf("FAIL %s\n", tests[i].name);
        } else {
            n_passed++;
            printf("ok   %s\n", tests[i].name);
        }
    }
    fflush(stdout);
    printf("%s: %d passed, %d failed\n", label, n_passed, n_failed);
    fflush(stdout);
    return n_failed ? 1 : 0;
}
