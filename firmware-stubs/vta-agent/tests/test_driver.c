/* test_driver.c - the real driver on a shared memory file with a fake VTA device thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fake_device.h"
#include "helpers.h"
#include "t.h"
#include "util.h"

#define DMA_PHYS 0x10000000ull
#define DMA_SIZE (4u << 20)
#define INSN_CAP 4096u /* 64 KiB at the end of the DMA region */
#define ARENA_SIZE (DMA_SIZE - INSN_CAP * 16u)
#define CYCLE_ADDR 0x43C10000ull

typedef struct {
    char dir[256], mem[300], bs_log[300];
    tagent_t *t;
    fake_dev_t dev;
} rig_t;

/* Start an in-process agent (from a command line) and a fake device on a fresh shared file. */
static int rig_start(rig_t *g, const char *target, const char *const *extra, int nextra)
{
    memset(g, 0, sizeof(*g));
    if (make_tmpdir(g->dir, sizeof(g->dir)) != 0)
        return -1;
    snprintf(g->mem, sizeof(g->mem), "%s/phys.mem", g->dir);
    snprintf(g->bs_log, sizeof(g->bs_log), "%s/bitstream.log", g->dir);
    static char dma_phys[32], dma_size[32], cap[32], cyc[32];
    snprintf(dma_phys, sizeof(dma_phys), "0x%llx", DMA_PHYS);
    snprintf(dma_size, sizeof(dma_size), "%u", DMA_SIZE);
    snprintf(cap, sizeof(cap), "%u", INSN_CAP);
    snprintf(cyc, sizeof(cyc), "0x%llx", CYCLE_ADDR);
    const char *argv[64] = {"vta-agent", "--stdio", "--target", target, "--config", "1x16_i8w8a32_15_15_18_17",
                            "--board-id", "rig", "--mem", g->mem, "--create-mem", "--dma-phys", dma_phys,
                            "--dma-size", dma_size, "--insn-capacity", cap, "--reset-hold-ms", "2", "--poll-us", "20"};
    int argc = 21;
    int is_vcr = !strcmp(target, "de10nano");
    if (!is_vcr) {
        argv[argc++] = "--cycle-counter";
        argv[argc++] = cyc;
    }
    for (int i = 0; i < nextra; i++)
        argv[argc++] = extra[i];
    g->t = tagent_open(argc, argv);
    if (!g->t)
        return -1;
    fake_dev_t *d = &g->dev;
    d->mem_path = g->mem;
    d->dma_phys = DMA_PHYS;
    d->dma_size = DMA_SIZE;
    d->delay_us = 2000;
    d->store_pattern = 0x5A;
    if (is_vcr) {
        d->vcr = 1;
        d->vcr_base = 0xFF220000u;
        d->dev_offset = 0x80000000u;
        d->has_cycle = 1;
        d->cycle_addr = 0xFF220004u;
    } else {
        uint64_t b = !strcmp(target, "pynq") ? 0x43C00000u : 0xA0000000u;
        for (int k = 0; k < 4; k++)
            d->base[k] = b + 0x1000u * (uint64_t)k;
        d->has_cycle = 1;
        d->cycle_addr = CYCLE_ADDR;
    }
    if (!strcmp(target, "pynq")) {
        d->has_reset = 1;
        d->reset_addr = 0xF8000240u;
        d->reset_assert = 0xF;
    }
    return fake_start(d);
}

static void rig_stop(rig_t *g)
{
    if (g->dev.fd > 0)
        fake_stop(&g->dev);
    tagent_free(g->t);
    rm_tree(g->dir);
}

/* LOAD INP 4 elements from arena element 8 (byte 128), STORE OUT 2 rows x 3 elements with
 * stride 5 at OUT element 64 (byte 1024), then FINISH; placed at arena byte 0x8000. */
static void write_program(rig_t *g, uint32_t seq)
{
    uint8_t prog[3 * 16], pl[128], data[64];
    enc_mem(prog, VTA_OP_LOAD, VTA_MEM_INP, 0, 8, 1, 4, 4);
    enc_mem(prog + 16, VTA_OP_STORE, VTA_MEM_OUT, 0, 64, 2, 3, 5);
    enc_finish(prog + 32);
    resp_t r;
    uint32_t n = pl_write(pl, 0x8000, prog, sizeof(prog));
    if (tagent_call(g->t, MSG_WRITE, seq, pl, n, &r) != 0 || r.code != E_OK)
        t_fail(__FILE__, __LINE__, "program WRITE failed");
    for (int i = 0; i < 64; i++)
        data[i] = (uint8_t)(i + 1);
    n = pl_write(pl, 128, data, 64);
    if (tagent_call(g->t, MSG_WRITE, seq + 1, pl, n, &r) != 0 || r.code != E_OK)
        t_fail(__FILE__, __LINE__, "data WRITE failed");
}

static int do_run(rig_t *g, uint32_t seq, uint32_t timeout_ms, resp_t *r)
{
    uint8_t pl[16];
    uint32_t n = pl_run(pl, 0x8000, 3, timeout_ms);
    return tagent_call(g->t, MSG_RUN, seq, pl, n, r);
}

void test_driver_hls_run_done(void)
{
    rig_t g;
    if (rig_start(&g, "pynq", NULL, 0) != 0) {
        t_fail(__FILE__, __LINE__, "rig start");
        rig_stop(&g);
        return;
    }
    write_program(&g, 1);
    resp_t r;
    REQUIRE(do_run(&g, 3, 2000, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(r.body[0], RUN_DONE);
    CHECK_EQ(get_u32(r.body + 4), 3);
    uint64_t el = get_u64(r.body + 8);
    CHECK(el >= 2000 && el < 1000000);
    CHECK_EQ(get_u64(r.body + 16), 1003); /* the fake device's cycle count */
    CHECK_EQ(g.dev.starts, 1);
    CHECK_EQ(g.dev.errors, 0);
    if (g.dev.errors)
        printf("    device: %s\n", g.dev.errmsg);
    CHECK_EQ(g.dev.last_count, 3);
    CHECK_EQ(g.dev.last_insn_bus, DMA_PHYS + ARENA_SIZE); /* instruction buffer after the arena */
    CHECK_EQ(g.dev.ptr_regs_nonzero, 0);
    CHECK_EQ(g.dev.ctrl_at_finish[0], 0x81);
    CHECK_EQ(g.dev.ctrl_at_finish[1], 0x81);
    CHECK_EQ(g.dev.ctrl_at_finish[2], 0x81);
    CHECK_EQ(g.dev.load_sum, 64 * 65 / 2); /* LOAD read exactly the bytes the host wrote */
    /* STORE landed where the host said, relative to the arena */
    uint8_t pl[16];
    uint32_t n = pl_read(pl, 1024 - 16, 16 * 10);
    REQUIRE(tagent_call(g.t, MSG_READ, 4, pl, n, &r) == 0 && r.code == E_OK);
    for (int e = 0; e < 10; e++) {
        int expect = (e >= 1 && e <= 3) || (e >= 6 && e <= 8); /* elements 64..66 and 69..71 */
        CHECK_EQ(r.body[e * 16], expect ? 0x5A : 0);
        CHECK_EQ(r.body[e * 16 + 15], expect ? 0x5A : 0);
    }
    REQUIRE(tagent_call(g.t, MSG_STATUS, 5, NULL, 0, &r) == 0);
    CHECK_EQ(r.body[0], STATE_IDLE);
    CHECK_EQ(r.body[1], LAST_DONE);
    CHECK_EQ(get_u64(r.body + 24), 1003);
    CHECK_EQ(get_u64(r.body + 40 + 8 * 4), 1); /* runs */
    /* HELLO reports the cycle counter, the reset register and a simulated memory */
    REQUIRE(tagent_call(g.t, MSG_HELLO, 6, NULL, 0, &r) == 0);
    CHECK_EQ(r.body[7], CAP_CYCLE_COUNTER | CAP_RESET_REGISTER | CAP_SIMULATED_MEMORY);
    CHECK_EQ(get_u64(r.body + 8), ARENA_SIZE);
    rig_stop(&g);
}

void test_driver_hls_hang_timeout_then_soft_reset(void)
{
    rig_t g;
    if (rig_start(&g, "pynq", NULL, 0) != 0) {
        t_fail(__FILE__, __LINE__, "rig start");
        rig_stop(&g);
        return;
    }
    write_program(&g, 1);
    g.dev.hang = 1;
    resp_t r;
    uint64_t t0 = mono_us();
    REQUIRE(do_run(&g, 3, 150, &r) == 0);
    uint64_t wall = mono_us() - t0;
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(r.body[0], RUN_TIMEOUT);
    uint64_t el = get_u64(r.body + 8);
    CHECK(el >= 150000);
    CHECK(el < 150000 + 100000); /* the timeout is honoured in milliseconds, not iterations */
    CHECK(wall >= 150000);
    CHECK_EQ(get_u64(r.body + 16), 0);
    CHECK_EQ(g.dev.starts, 1);
    REQUIRE(tagent_call(g.t, MSG_STATUS, 4, NULL, 0, &r) == 0);
    CHECK_EQ(r.body[0], STATE_HUNG);
    CHECK_EQ(r.body[1], LAST_TIMEOUT);
    CHECK_EQ(get_u64(r.body + 40 + 8 * 5), 1); /* timeouts */
    /* a hung accelerator refuses further runs */
    REQUIRE(do_run(&g, 5, 1000, &r) == 0);
    CHECK_EQ(r.code, E_HUNG);
    CHECK_EQ(g.dev.starts, 1);
    /* soft reset: the device sees the assert on FPGA_RST_CTRL and clears itself */
    uint8_t pl[4];
    pl_reset(pl, RESET_SOFT);
    REQUIRE(tagent_call(g.t, MSG_RESET, 6, pl, 4, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(r.body[1], RESET_ACT_PL_PULSED);
    CHECK_EQ(g.dev.resets_seen, 1);
    REQUIRE(tagent_call(g.t, MSG_STATUS, 7, NULL, 0, &r) == 0);
    CHECK_EQ(r.body[0], STATE_IDLE);
    /* the SLCR unlock key was written before the reset */
    uint8_t *slcr = NULL;
    for (int i = 0; i < g.t->a.pm.nmaps; i++)
        if (g.t->a.pm.maps[i].base == 0xF8000000u)
            slcr = (uint8_t *)(uintptr_t)g.t->a.pm.maps[i].p;
    REQUIRE(slcr != NULL);
    CHECK_EQ(get_u32(slcr + 8), 0xDF0D);
    CHECK_EQ(get_u32(slcr + 0x240), 0); /* deasserted again */
    /* and runs work again */
    g.dev.hang = 0;
    REQUIRE(do_run(&g, 8, 2000, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(r.body[0], RUN_DONE);
    CHECK_EQ(g.dev.errors, 0);
    rig_stop(&g);
}

void test_driver_duplicate_run_not_rerun(void)
{
    rig_t g;
    if (rig_start(&g, "zcu104", NULL, 0) != 0) {
        t_fail(__FILE__, __LINE__, "rig start");
        rig_stop(&g);
        return;
    }
    write_program(&g, 1);
    uint8_t pl[16], req[64];
    uint32_t n = pl_run(pl, 0x8000, 3, 2000);
    size_t len = mk_req(req, MSG_RUN, 77, pl, n);
    g.t->cap.len = 0;
    CHECK_EQ(tagent_feed(g.t, req, len), 1);
    CHECK_EQ(g.dev.starts, 1);
    CHECK_EQ(tagent_feed(g.t, req, len), 2); /* replayed, not started again */
    CHECK_EQ(g.dev.starts, 1);
    resp_t a, b;
    REQUIRE(tagent_next_resp(g.t, &a) == 0);
    REQUIRE(tagent_next_resp(g.t, &b) == 0);
    CHECK(a.raw_len == b.raw_len);
    CHECK_EQ(a.code, E_OK);
    CHECK_EQ(get_u64(a.body + 8), get_u64(b.body + 8)); /* same elapsed: the same response */
    resp_t r;
    REQUIRE(tagent_call(g.t, MSG_STATUS, 78, NULL, 0, &r) == 0);
    CHECK_EQ(get_u64(r.body + 40 + 8 * 3), 1); /* duplicates */
    CHECK_EQ(get_u64(r.body + 40 + 8 * 4), 1); /* runs */
    CHECK_EQ(g.dev.errors, 0);
    /* ultra96/zcu104 have no default reset register: a soft reset only clears state */
    uint8_t rp[4];
    pl_reset(rp, RESET_SOFT);
    REQUIRE(tagent_call(g.t, MSG_RESET, 79, rp, 4, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(r.body[1], 0);
    rig_stop(&g);
}

void test_driver_de10nano_vcr_run(void)
{
    rig_t g;
    if (rig_start(&g, "de10nano", NULL, 0) != 0) {
        t_fail(__FILE__, __LINE__, "rig start");
        rig_stop(&g);
        return;
    }
    write_program(&g, 1);
    resp_t r;
    REQUIRE(do_run(&g, 3, 2000, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(r.body[0], RUN_DONE);
    CHECK_EQ(get_u64(r.body + 16), 1003);
    CHECK_EQ(g.dev.errors, 0);
    if (g.dev.errors)
        printf("    device: %s\n", g.dev.errmsg);
    CHECK_EQ(g.dev.last_insn_bus, 0x80000000u + DMA_PHYS + ARENA_SIZE);
    CHECK_EQ(g.dev.load_sum, 64 * 65 / 2);
    uint8_t pl[16];
    uint32_t n = pl_read(pl, 1024, 16);
    REQUIRE(tagent_call(g.t, MSG_READ, 4, pl, n, &r) == 0 && r.code == E_OK);
    CHECK_EQ(r.body[0], 0x5A);
    /* hang + timeout on the VCR map too */
    g.dev.hang = 1;
    REQUIRE(do_run(&g, 5, 100, &r) == 0);
    CHECK_EQ(r.body[0], RUN_TIMEOUT);
    CHECK(get_u64(r.body + 8) >= 100000);
    rig_stop(&g);
}

void test_driver_hard_reset_and_bitstream_cmd(void)
{
    rig_t g;
    char cmd[600];
    /* the command's stdout must not reach the protocol stream: it goes to stderr, which we
     * redirect to a file from within the command itself to check it ran */
    snprintf(cmd, sizeof(cmd), "echo reloading; echo ran >> %s", "/dev/null");
    const char *extra[] = {"--bitstream-cmd", cmd};
    if (rig_start(&g, "pynq", extra, 2) != 0) {
        t_fail(__FILE__, __LINE__, "rig start");
        rig_stop(&g);
        return;
    }
    /* point the command at the rig's log now that the directory exists */
    snprintf(cmd, sizeof(cmd), "echo ran >> '%s'", g.bs_log);
    write_program(&g, 1);
    resp_t r;
    uint8_t pl[4];
    pl_reset(pl, RESET_HARD);
    g.t->cap.len = 0;
    REQUIRE(tagent_call(g.t, MSG_RESET, 3, pl, 4, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(r.body[0], RESET_HARD);
    CHECK_EQ(r.body[1], RESET_ACT_PL_PULSED | RESET_ACT_ARENA_ZEROED | RESET_ACT_BITSTREAM_RUN);
    CHECK_EQ(get_u32(r.body + 4), 0);
    CHECK(access(g.bs_log, F_OK) == 0);
    /* the arena is zero */
    uint8_t rp[16];
    uint32_t n = pl_read(rp, 0x8000, 48);
    REQUIRE(tagent_call(g.t, MSG_READ, 4, rp, n, &r) == 0 && r.code == E_OK);
    int zero = 1;
    for (int i = 0; i < 48; i++)
        zero &= r.body[i] == 0;
    CHECK(zero);
    /* a failing command: E_RESET_FAILED with its status, and the agent stays hung */
    snprintf(cmd, sizeof(cmd), "exit 3");
    REQUIRE(tagent_call(g.t, MSG_RESET, 5, pl, 4, &r) == 0);
    CHECK_EQ(r.code, E_RESET_FAILED);
    CHECK_EQ(r.arg, 3);
    REQUIRE(tagent_call(g.t, MSG_STATUS, 6, NULL, 0, &r) == 0);
    CHECK_EQ(r.body[0], STATE_HUNG);
    CHECK_EQ(get_u64(r.body + 40 + 8 * 10), 2); /* hard resets */
    /* a command that runs too long is killed */
    g.t->a.p.bitstream_timeout_ms = 200;
    snprintf(cmd, sizeof(cmd), "sleep 5");
    uint64_t t0 = mono_us();
    REQUIRE(tagent_call(g.t, MSG_RESET, 7, pl, 4, &r) == 0);
    CHECK(mono_us() - t0 < 3000000);
    CHECK_EQ(r.code, E_RESET_FAILED);
    CHECK(strstr(r.text, "timed out") != NULL);
    rig_stop(&g);
}

/* A second agent on the rig's accelerator, its command line as the rig's with board id and --lock-wait-ms. */
static tagent_t *second_agent(rig_t *g, const char *id, const char *lock_wait_ms)
{
    static char dma_phys[32], dma_size[32], cap[32], cyc[32];
    snprintf(dma_phys, sizeof(dma_phys), "0x%llx", DMA_PHYS);
    snprintf(dma_size, sizeof(dma_size), "%u", DMA_SIZE);
    snprintf(cap, sizeof(cap), "%u", INSN_CAP);
    snprintf(cyc, sizeof(cyc), "0x%llx", CYCLE_ADDR);
    const char *argv[] = {"vta-agent", "--stdio", "--target", "pynq", "--config", "1x16_i8w8a32_15_15_18_17",
                          "--board-id", id, "--mem", g->mem, "--dma-phys", dma_phys, "--dma-size", dma_size,
                          "--insn-capacity", cap, "--cycle-counter", cyc, "--reset-hold-ms", "2",
                          "--lock-wait-ms", lock_wait_ms};
    return tagent_open((int)(sizeof(argv) / sizeof(argv[0])), argv);
}

/* Whether some open file description holds a write lock on the memory file (asked through a descriptor of its own). */
static int mem_locked(const char *mem)
{
    int fd = open(mem, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    int r = fcntl(fd, F_OFD_GETLK, &q);
    close(fd);
    return r != 0 ? -1 : q.l_type != F_UNLCK;
}

/* The one-agent lock is held only while a request drives the accelerator: an idle agent (a serial-line agent waiting
 * for its host, as `make bench` leaves one) is in no other agent's way, and neither agent holds it between requests. */
void test_driver_idle_agent_holds_no_lock(void)
{
    rig_t g;
    if (rig_start(&g, "pynq", NULL, 0) != 0) {
        t_fail(__FILE__, __LINE__, "rig start");
        rig_stop(&g);
        return;
    }
    write_program(&g, 1);
    resp_t r;
    REQUIRE(do_run(&g, 3, 2000, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(mem_locked(g.mem), 0); /* released when the run is done */

    uint64_t t0 = mono_us();
    tagent_t *second = second_agent(&g, "second", "100");
    REQUIRE(second != NULL);
    uint8_t pl[64], data[16] = {7};
    uint32_t n = pl_write(pl, 4096, data, sizeof(data));
    REQUIRE(tagent_call(second, MSG_WRITE, 1, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    n = pl_run(pl, 0x8000, 3, 2000);
    REQUIRE(tagent_call(second, MSG_RUN, 2, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(r.body[0], RUN_DONE);
    CHECK(mono_us() - t0 < 100000); /* no wait for the idle first agent */
    CHECK_EQ(mem_locked(g.mem), 0);

    /* and the first one goes on: the second, idle now, is not in its way */
    REQUIRE(do_run(&g, 4, 2000, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(r.body[0], RUN_DONE);
    CHECK_EQ(g.dev.starts, 3);
    tagent_free(second);
    rig_stop(&g);
}

/* An agent whose run is in flight (here one whose connection dropped: it polls a hung accelerator until its deadline)
 * holds the lock: a second agent's upload waits for that run to end instead of writing under it; with a short
 * --lock-wait-ms it is refused with E_BUSY, naming the process that holds the lock. */
void test_driver_second_agent_waits_for_a_run_in_flight(void)
{
    rig_t g;
    if (rig_start(&g, "pynq", NULL, 0) != 0) {
        t_fail(__FILE__, __LINE__, "rig start");
        rig_stop(&g);
        return;
    }
    write_program(&g, 1);
    g.dev.hang = 1;
    fflush(stdout);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        /* the earlier agent, in a process of its own: a run that never gets done, 600 ms deadline */
        tagent_t *first = second_agent(&g, "first", "100");
        resp_t cr;
        uint8_t cpl[16];
        uint32_t cn = pl_run(cpl, 0x8000, 3, 600);
        int ok = first && tagent_call(first, MSG_RUN, 1, cpl, cn, &cr) == 0 && cr.code == E_OK && cr.body[0] == RUN_TIMEOUT;
        _exit(ok ? 0 : 1);
    }
    uint64_t t0 = mono_us();
    while (mem_locked(g.mem) != 1 && mono_us() - t0 < 3000000)
        sleep_us(1000);
    CHECK_EQ(mem_locked(g.mem), 1);

    resp_t r;
    uint8_t pl[64], data[16] = {9};
    uint32_t n = pl_write(pl, 4096, data, sizeof(data));
    tagent_t *impatient = second_agent(&g, "impatient", "50");
    REQUIRE(impatient != NULL);
    REQUIRE(tagent_call(impatient, MSG_WRITE, 1, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_BUSY);
    char pid_text[32];
    snprintf(pid_text, sizeof(pid_text), "pid %d (", (int)child); /* its program: the test binary (or qemu running it) */
    CHECK(strstr(r.text, pid_text) != NULL);
    CHECK(strstr(r.text, g.mem) != NULL);
    CHECK(strstr(r.text, "an earlier connection") == NULL);
    if (!strstr(r.text, pid_text) || !strstr(r.text, g.mem))
        printf("    refusal: %s\n", r.text);
    uint8_t rpl[4];
    pl_reset(rpl, RESET_SOFT);
    REQUIRE(tagent_call(impatient, MSG_RESET, 2, rpl, 4, &r) == 0);
    CHECK_EQ(r.code, E_BUSY);
    CHECK_EQ(g.dev.resets_seen, 0); /* no pulse under the other agent's run */

    /* the rig's agent (default --lock-wait-ms) waits for the run to end, then writes */
    uint64_t t1 = mono_us();
    REQUIRE(tagent_call(g.t, MSG_WRITE, 10, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK(mono_us() - t1 >= 100000);
    int status = -1;
    CHECK(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_EQ(mem_locked(g.mem), 0);
    tagent_free(impatient);
    rig_stop(&g);
}
