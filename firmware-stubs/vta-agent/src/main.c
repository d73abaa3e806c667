/* main.c - vta-agent: the HilTuner board bridge agent. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "agent.h"
#include "cli.h"
#include "predict.h"
#include "transport.h"
#include "util.h"

/* On a serial line, the start of a frame followed by this long a silence is given up (rx_abandon): its sender died
 * or the line was cut mid-frame, and the next host's small requests must not be swallowed as the rest of its payload
 * (a host writes a frame in one go; at 115200 baud no gap within a frame comes near this). */
#define TTY_FRAME_GAP_MS 1000

static void die_usage(const char *msg)
{
    char line[600];
    int n = snprintf(line, sizeof(line), "vta-agent: error: %s\n", msg);
    ssize_t w = write(2, line, n > 0 ? (size_t)n : 0);
    (void)w;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "predict"))
        return predict_main(argc - 1, argv + 1, stdin, stdout, stderr);
    options_t o;
    char err[512];
    int r = cli_parse(argc, argv, &o, err, sizeof(err));
    if (r == 1)
        return 0;
    if (r < 0) {
        die_usage(err);
        return 2;
    }
    vta_config_t cfg;
    if (vta_config_parse(o.config, &cfg, err, sizeof(err)) != 0) {
        die_usage(err);
        return 2;
    }
    g_log_level = o.log_level;
    signal(SIGPIPE, SIG_IGN);

    transport_t tr;
    int tr_ok = o.transport == TRANSPORT_STDIO ? transport_open_stdio(&tr, err, sizeof(err))
                                                : transport_open_tty(&tr, o.tty_path, o.baud, err, sizeof(err));
    if (tr_ok != 0) {
        log_msg(LOG_ERROR, "%s", err);
        return 1;
    }
    static agent_t agent;
    if (agent_open(&agent, &o, transport_write_all, &tr, err, sizeof(err)) != 0) {
        log_msg(LOG_ERROR, "%s", err);
        return 1;
    }
    log_msg(LOG_INFO, "vta-agent %s ready on %s", AGENT_VERSION_STRING, o.transport == TRANSPORT_STDIO ? "stdio" : o.tty_path);
    int status = 0;
    for (;;) {
        if (tr.is_tty && agent.rx.start != agent.rx.end) {
            struct pollfd pfd = {.fd = tr.in_fd, .events = POLLIN};
            int ready = poll(&pfd, 1, TTY_FRAME_GAP_MS);
            if (ready == 0) {
                log_msg(LOG_WARN, "the line fell quiet %d ms in the middle of a frame (%zu bytes): frame given up",
                        TTY_FRAME_GAP_MS, agent.rx.end - agent.rx.start);
                int failed = 0;
                while (!failed && rx_abandon(&agent.rx))
                    failed = agent_pump(&agent) != 0;
                if (failed) {
                    log_msg(LOG_ERROR, "write failed: %s", strerror(errno));
                    status = 1;
                    break;
                }
                continue;
            }
        }
        size_t space;
        uint8_t *p = rx_space(&agent.rx, &space);
        ssize_t n = read(tr.in_fd, p, space);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            if (tr.is_tty && errno == EIO) {
                log_msg(LOG_INFO, "tty hung up; exiting");
                break;
            }
            log_msg(LOG_ERROR, "read failed: %s", strerror(errno));
            status = 1;
            break;
        }
        if (n == 0) {
            log_msg(LOG_INFO, "end of input; exiting");
            break;
        }
        rx_commit(&agent.rx, (size_t)n);
        if (agent_pump(&agent) != 0) {
            log_msg(LOG_ERROR, "write failed: %s", strerror(errno));
            status = 1;
            break;
        }
    }
    agent_close(&agent);
    transport_close(&tr);
    return status;
}
