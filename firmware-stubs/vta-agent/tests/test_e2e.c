/* test_e2e.c - the real agent binary over a pipe (stdio transport, as under SSH) and over a
 * pty pair (tty transport, as on a serial line), with the fake device on the shared file. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "fake_device.h"
#include "helpers.h"
#include "t.h"
#include "util.h"

#define DMA_PHYS 0x10000000ull
#define DMA_SIZE (4u << 20)
#define MEM_END 0xF8001000ull /* covers the SLCR page (pynq default reset register) */

/* fork/exec the agent; in_fd/out_fd become its stdin/stdout (-1: /dev/null); stderr to err_path */
static pid_t spawn(const char *const *argv, int in_fd, int out_fd, const char *err_path)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int dn = open("/dev/null", O_RDWR);
    int ef = err_path ? open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : dn;
    dup2(in_fd >= 0 ? in_fd : dn, 0);
    dup2(out_fd >= 0 ? out_fd : dn, 1);
    dup2(ef, 2);
    execv(argv[0], (char *const *)(uintptr_t)argv);
    _exit(127);
}

/* wait up to ms for the child; returns its exit status or -1 (killed on timeout) */
static int reap(pid_t pid, int ms)
{
    for (int i = 0; i < ms / 10; i++) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        sleep_us(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

typedef struct {
    int wfd, rfd;
    rx_t rx;
    uint8_t *rxbuf, *req;
} client_t;

static void client_init(client_t *c, int wfd, int rfd)
{
    c->wfd = wfd;
    c->rfd = rfd;
    c->rxbuf = malloc(rx_buffer_size(WIRE_DEFAULT_MAX_PAYLOAD));
    c->req = malloc(WIRE_DEFAULT_MAX_PAYLOAD + WIRE_OVERHEAD);
    rx_init(&c->rx, c->rxbuf, rx_buffer_size(WIRE_DEFAULT_MAX_PAYLOAD), WIRE_DEFAULT_MAX_PAYLOAD);
}

static void client_free(client_t *c)
{
    free(c->rxbuf);
    free(c->req);
}

static int write_all(int fd, const uint8_t *b, size_t n)
{
    while (n) {
        ssize_t k = write(fd, b, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

/* wait for the response with this seq (others are skipped); 0 or -1 on timeout */
static int client_wait(client_t *c, uint32_t seq, resp_t *r, int timeout_ms)
{
    uint64_t deadline = mono_us() + (uint64_t)timeout_ms * 1000u;
    for (;;) {
        frame_t f;
        rx_event_t ev;
        while ((ev = rx_poll(&c->rx, &f)) != RX_NEED_MORE)
            if (ev == RX_FRAME && f.seq == seq && resp_decode(&f, r) == 0) {
                r->raw = f.payload - WIRE_HDR_SIZE;
                r->raw_len = f.payload_len + WIRE_OVERHEAD;
                return 0;
            }
        uint64_t now = mono_us();
        if (now >= deadline)
            return -1;
        struct pollfd p = {.fd = c->rfd, .events = POLLIN};
        if (poll(&p, 1, (int)((deadline - now) / 1000u) + 1) <= 0)
            continue;
        size_t space;
        uint8_t *dst = rx_space(&c->rx, &space);
        ssize_t n = read(c->rfd, dst, space);
        if (n <= 0)
            return -1;
        rx_commit(&c->rx, (size_t)n);
    }
}

static int client_call(client_t *c, uint8_t type, uint32_t seq, const void *pl, uint32_t len, resp_t *r)
{
    size_t n = mk_req(c->req, type, seq, pl, len);
    if (write_all(c->wfd, c->req, n) != 0)
        return -1;
    return client_wait(c, seq, r, 10000);
}

static int make_mem_file(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    int r = ftruncate(fd, (off_t)MEM_END);
    close(fd);
    return r;
}

static void fake_setup(fake_dev_t *d, const char *mem)
{
    memset(d, 0, sizeof(*d));
    d->mem_path = mem;
    d->dma_phys = DMA_PHYS;
    d->dma_size = DMA_SIZE;
    d->delay_us = 1000;
    d->store_pattern = 0xC3;
    for (int k = 0; k < 4; k++)
        d->base[k] = 0x43C00000u + 0x1000u * (uint64_t)k;
    d->has_cycle = 1;
    d->cycle_addr = 0x43C10000u;
    d->has_reset = 1;
    d->reset_addr = 0xF8000240u;
    d->reset_assert = 0xF;
}

/* one full session: HELLO, WRITE program + data, RUN, READ, duplicate, hard reset, STATUS */
static void session(client_t *c, fake_dev_t *d, uint32_t seq0, int big)
{
    resp_t r;
    REQUIRE(client_call(c, MSG_HELLO, seq0, NULL, 0, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK(r.body_len > RESP_HELLO_FIXED && memcmp(r.body + RESP_HELLO_FIXED + 2, "e2e-board", 9) == 0);
    uint8_t prog[48], *pl = malloc(WIRE_DEFAULT_MAX_PAYLOAD);
    enc_mem(prog, VTA_OP_LOAD, VTA_MEM_INP, 0, 8, 1, 4, 4);
    enc_mem(prog + 16, VTA_OP_STORE, VTA_MEM_OUT, 0, 64, 1, 2, 2);
    enc_finish(prog + 32);
    uint32_t n;
    /* a large chunk with every byte value, written and read back */
    uint32_t blen = big ? WIRE_DEFAULT_MAX_PAYLOAD - 12 : 65536;
    uint8_t *blob = malloc(blen);
    for (uint32_t i = 0; i < blen; i++)
        blob[i] = (uint8_t)(i ^ (i >> 8) ^ (i >> 16));
    memset(blob + 128, 1, 64); /* LOAD INP source: 64 ones at byte 128 */
    n = pl_write(pl, 0, blob, blen);
    REQUIRE(client_call(c, MSG_WRITE, seq0 + 2, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    n = pl_read(pl, 0, blen);
    REQUIRE(client_call(c, MSG_READ, seq0 + 3, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK(r.body_len == blen && memcmp(r.body, blob, blen) == 0);
    free(blob);
    n = pl_write(pl, 0x8000, prog, sizeof(prog)); /* the program, after the blob it would be inside */
    REQUIRE(client_call(c, MSG_WRITE, seq0 + 1, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    /* RUN */
    d->load_sum = 0;
    n = pl_run(pl, 0x8000, 3, 3000);
    REQUIRE(client_call(c, MSG_RUN, seq0 + 4, pl, n, &r) == 0);
    REQUIRE(r.code == E_OK);
    CHECK_EQ(r.body[0], RUN_DONE);
    CHECK_EQ(get_u64(r.body + 16), 1003);
    CHECK_EQ(d->load_sum, 64);
    CHECK_EQ(d->errors, 0);
    n = pl_read(pl, 64 * 16, 32);
    REQUIRE(client_call(c, MSG_READ, seq0 + 5, pl, n, &r) == 0);
    CHECK(r.body_len == 32 && r.body[0] == 0xC3 && r.body[31] == 0xC3);
    /* a retried RUN (same bytes) is answered from the cache */
    int starts = d->starts;
    n = pl_run(pl, 0x8000, 3, 3000);
    size_t fl = mk_req(c->req, MSG_RUN, seq0 + 6, pl, n);
    REQUIRE(write_all(c->wfd, c->req, fl) == 0 && write_all(c->wfd, c->req, fl) == 0);
    resp_t r1, r2;
    REQUIRE(client_wait(c, seq0 + 6, &r1, 5000) == 0 && r1.code == E_OK);
    uint64_t el1 = get_u64(r1.body + 8);
    REQUIRE(client_wait(c, seq0 + 6, &r2, 5000) == 0 && r2.code == E_OK);
    CHECK_EQ(get_u64(r2.body + 8), el1);
    CHECK_EQ(d->starts, starts + 1);
    /* hard reset runs the bitstream command, whose stdout must not reach the protocol stream */
    uint8_t rp[4];
    pl_reset(rp, RESET_HARD);
    REQUIRE(client_call(c, MSG_RESET, seq0 + 7, rp, 4, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(r.body[1], RESET_ACT_PL_PULSED | RESET_ACT_ARENA_ZEROED | RESET_ACT_BITSTREAM_RUN);
    REQUIRE(client_call(c, MSG_STATUS, seq0 + 8, NULL, 0, &r) == 0);
    CHECK_EQ(r.body[0], STATE_IDLE);
    CHECK_EQ(get_u64(r.body + 40 + 8 * 3), 1); /* duplicates */
    CHECK_EQ(get_u64(r.body + 40 + 8 * 4), 2); /* runs */
    CHECK_EQ(get_u64(r.body + 40 + 8 * 10), 1); /* hard resets */
    CHECK_EQ(c->rx.garbage_bytes, 0);          /* nothing but frames came out of the agent */
    free(pl);
}

static void agent_argv(const char **argv, const char *transport, const char *tty, const char *mem)
{
    int i = 0;
    argv[i++] = t_agent_path;
    argv[i++] = transport;
    if (tty) {
        argv[i++] = tty;
        argv[i++] = "--baud";
        argv[i++] = "115200";
    }
    const char *rest[] = {"--target", "pynq", "--config", "1x16_i8w8a32_15_15_18_17", "--board-id", "e2e-board",
                          "--mem", mem, "--dma-phys", "0x10000000", "--dma-size", "4194304", "--insn-capacity",
                          "4096", "--cycle-counter", "0x43C10000", "--reset-hold-ms", "2", "--bitstream-cmd",
                          "echo this-must-not-reach-the-protocol-stream", "--log-level", "debug", NULL};
    for (int k = 0; rest[k]; k++)
        argv[i++] = rest[k];
    argv[i] = NULL;
}

static int file_contains(const char *path, const char *needle)
{
    char buf[8192];
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

void test_e2e_bad_flags_exit_2(void)
{
    char dir[256], errp[300];
    REQUIRE(make_tmpdir(dir, sizeof(dir)) == 0);
    snprintf(errp, sizeof(errp), "%s/stderr", dir);
    const char *a1[] = {t_agent_path, "--stdio", "--no-such-flag", NULL};
    CHECK_EQ(reap(spawn(a1, -1, -1, errp), 5000), 2);
    FILE *f = fopen(errp, "r");
    char line[512] = "", extra[64] = "";
    if (f) {
        if (!fgets(line, sizeof(line), f))
            line[0] = '\0';
        if (!fgets(extra, sizeof(extra), f))
            extra[0] = '\0';
        fclose(f);
    }
    CHECK(strncmp(line, "vta-agent: error: ", 18) == 0);
    CHECK(strstr(line, "--no-such-flag") != NULL);
    CHECK(extra[0] == '\0'); /* exactly one line */
    const char *a2[] = {t_agent_path, "--stdio", "--target", "pynq", "--config", "1x16_i8w8a32_15_15_18",
                        "--board-id", "b", "--dma-phys", "0x10000000", "--dma-size", "0x100000", NULL};
    CHECK_EQ(reap(spawn(a2, -1, -1, errp), 5000), 2);
    CHECK(file_contains(errp, "malformed VTA configuration"));
    const char *a3[] = {t_agent_path, "--stdio", "--target", "pynq", "--config", "1x16_i8w8a32_15_15_18_17",
                        "--board-id", "b", "--dma-phys", "0x10000000", "--dma-size", "0x100000", "--baud", "7", NULL};
    CHECK_EQ(reap(spawn(a3, -1, -1, errp), 5000), 2);
    const char *a4[] = {t_agent_path, "--help", NULL};
    CHECK_EQ(reap(spawn(a4, -1, -1, errp), 5000), 0);
    /* a missing memory file without --create-mem is a start-up error (1), not a usage error */
    char mem[300];
    snprintf(mem, sizeof(mem), "%s/missing.mem", dir);
    const char *a5[] = {t_agent_path, "--stdio", "--target", "pynq", "--config", "1x16_i8w8a32_15_15_18_17",
                        "--board-id", "b", "--mem", mem, "--dma-phys", "0x10000000", "--dma-size", "0x400000", NULL};
    CHECK_EQ(reap(spawn(a5, -1, -1, errp), 5000), 1);
    CHECK(file_contains(errp, "--create-mem"));
    rm_tree(dir);
}

void test_e2e_stdio_pipe_session(void)
{
    char dir[256], mem[300], errp[300];
    REQUIRE(make_tmpdir(dir, sizeof(dir)) == 0);
    snprintf(mem, sizeof(mem), "%s/phys.mem", dir);
    snprintf(errp, sizeof(errp), "%s/stderr", dir);
    REQUIRE(make_mem_file(mem) == 0); /* the "device" starts first and sizes the file */
    fake_dev_t d;
    fake_setup(&d, mem);
    REQUIRE(fake_start(&d) == 0);
    int to_agent[2], from_agent[2];
    REQUIRE(pipe2(to_agent, O_CLOEXEC) == 0 && pipe2(from_agent, O_CLOEXEC) == 0);
    const char *argv[48];
    agent_argv(argv, "--stdio", NULL, mem);
    pid_t pid = spawn(argv, to_agent[0], from_agent[1], errp);
    close(to_agent[0]);
    close(from_agent[1]);
    client_t c;
    client_init(&c, to_agent[1], from_agent[0]);
    /* line noise before the first frame */
    const uint8_t noise[] = "SSH banner noise \xA7\x56 \xA7VT\x00\xFF";
    write_all(c.wfd, noise, sizeof(noise));
    session(&c, &d, 1000, 1);
    close(c.wfd); /* EOF: the agent exits cleanly */
    CHECK_EQ(reap(pid, 5000), 0);
    CHECK(file_contains(errp, "ready on stdio"));
    CHECK(file_contains(errp, "this-must-not-reach-the-protocol-stream")); /* went to stderr */
    close(c.rfd);
    client_free(&c);
    fake_stop(&d);
    if (t_cur_failed)
        printf("    agent stderr kept in %s\n", errp);
    else
        rm_tree(dir);
}

/* The real agent on the slave end of a pty pair (as on a serial line), the fake device on its memory file, and a
 * client on the master end that has had its first HELLO answered. */
typedef struct {
    char dir[256], mem[300], errp[300];
    fake_dev_t d;
    int master, slave;
    pid_t pid;
    client_t c;
} tty_rig_t;

/* 0 when the agent answered HELLO (seq 1); -1 with the failure reported */
static int tty_rig_start(tty_rig_t *t)
{
    if (make_tmpdir(t->dir, sizeof(t->dir)) != 0)
        return t_fail(__FILE__, __LINE__, "make_tmpdir"), -1;
    snprintf(t->mem, sizeof(t->mem), "%s/phys.mem", t->dir);
    snprintf(t->errp, sizeof(t->errp), "%s/stderr", t->dir);
    if (make_mem_file(t->mem) != 0)
        return t_fail(__FILE__, __LINE__, "make_mem_file %s", t->mem), -1;
    fake_setup(&t->d, t->mem);
    if (fake_start(&t->d) != 0)
        return t_fail(__FILE__, __LINE__, "fake_start"), -1;
    if (openpty(&t->master, &t->slave, NULL, NULL, NULL) != 0)
        return t_fail(__FILE__, __LINE__, "openpty"), -1;
    struct termios tio;
    tcgetattr(t->slave, &tio);
    cfmakeraw(&tio);
    tcsetattr(t->slave, TCSANOW, &tio);
    fcntl(t->master, F_SETFD, FD_CLOEXEC);
    fcntl(t->slave, F_SETFD, FD_CLOEXEC);
    char slave_name[128];
    if (ttyname_r(t->slave, slave_name, sizeof(slave_name)) != 0)
        return t_fail(__FILE__, __LINE__, "ttyname_r"), -1;
    const char *argv[48];
    agent_argv(argv, "--tty", slave_name, t->mem);
    t->pid = spawn(argv, -1, -1, t->errp);
    client_init(&t->c, t->master, t->master);
    /* the agent flushes its input when it opens the line: retry HELLO like a host would */
    resp_t r;
    for (int i = 0; i < 50; i++) {
        size_t n = mk_req(t->c.req, MSG_HELLO, 1, NULL, 0);
        write_all(t->c.wfd, t->c.req, n);
        if (client_wait(&t->c, 1, &r, 200) == 0)
            return 0;
    }
    return t_fail(__FILE__, __LINE__, "no answer to HELLO on %s", slave_name), -1;
}

/* Hangs up the line; the agent must exit 0. */
static void tty_rig_stop(tty_rig_t *t)
{
    close(t->slave);
    close(t->master); /* hang-up: the agent exits */
    CHECK_EQ(reap(t->pid, 5000), 0);
    client_free(&t->c);
    fake_stop(&t->d);
    if (t_cur_failed)
        printf("    agent stderr kept in %s\n", t->errp);
    else
        rm_tree(t->dir);
}

void test_e2e_tty_pty_session(void)
{
    static tty_rig_t t;
    REQUIRE(tty_rig_start(&t) == 0);
    session(&t.c, &t.d, 2000, 0);
    CHECK(file_contains(t.errp, "ready on /dev/"));
    tty_rig_stop(&t);
}

void test_e2e_tty_truncated_frame_abandoned(void)
{
    /* a host killed in the middle of a large upload (or a line cut mid-frame) leaves the agent with the start of a
     * frame whose payload never comes; the next host sends only small HELLOs. The agent must abandon the partial
     * frame once the line has been quiet for its frame gap and answer them, not swallow them as payload. */
    static tty_rig_t t;
    REQUIRE(tty_rig_start(&t) == 0);
    /* the first 64 bytes of a 512 KiB upload */
    const uint32_t len = 512u << 10;
    uint8_t *upload = calloc(1, WIRE_OVERHEAD + len), *pl = calloc(1, len);
    REQUIRE(upload != NULL && pl != NULL);
    mk_req(upload, MSG_WRITE, 2, pl, len);
    write_all(t.c.wfd, upload, 64);
    /* a new host: HELLO every 1.5 s (a host's request timeout) for up to 9 s */
    resp_t r;
    int ok = 0;
    for (uint32_t seq = 3; seq < 9 && !ok; seq++) {
        size_t n = mk_req(t.c.req, MSG_HELLO, seq, NULL, 0);
        write_all(t.c.wfd, t.c.req, n);
        ok = client_wait(&t.c, seq, &r, 1500) == 0;
    }
    CHECK(ok);
    free(upload);
    free(pl);
    tty_rig_stop(&t);
}

void test_e2e_undrained_stderr_never_blocks(void)
{
    /* Over SSH the host may never read stderr: the agent must drop log lines, not block. */
    char dir[256], mem[300];
    REQUIRE(make_tmpdir(dir, sizeof(dir)) == 0);
    snprintf(mem, sizeof(mem), "%s/phys.mem", dir);
    REQUIRE(make_mem_file(mem) == 0);
    int to_agent[2], from_agent[2], err_pipe[2];
    REQUIRE(pipe2(to_agent, O_CLOEXEC) == 0 && pipe2(from_agent, O_CLOEXEC) == 0 && pipe2(err_pipe, O_CLOEXEC) == 0);
    const char *argv[48];
    agent_argv(argv, "--stdio", NULL, mem);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(to_agent[0], 0);
        dup2(from_agent[1], 1);
        dup2(err_pipe[1], 2);
        execv(argv[0], (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    close(to_agent[0]);
    close(from_agent[1]);
    close(err_pipe[1]); /* err_pipe[0] stays open and is never read */
    client_t c;
    client_init(&c, to_agent[1], from_agent[0]);
    uint8_t pl[16];
    uint32_t n = pl_run(pl, 0, 0, 1000); /* refused (count 0), logged at info level */
    resp_t r;
    int answered = 0;
    for (uint32_t i = 0; i < 3000; i++) {
        if (client_call(&c, MSG_RUN, 5000 + i, pl, n, &r) != 0)
            break;
        answered += r.code == E_ARGUMENT;
    }
    CHECK_EQ(answered, 3000); /* ~300 KB of log lines into a 64 KiB pipe nobody reads */
    close(c.wfd);
    CHECK_EQ(reap(pid, 5000), 0);
    close(c.rfd);
    close(err_pipe[0]);
    client_free(&c);
    rm_tree(dir);
}
