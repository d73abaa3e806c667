/* test_agent.c - request handling on an in-process agent over ordinary memory. */
#include <stdlib.h>
#include <string.h>
#include "crc32.h"
#include "helpers.h"
#include "insn.h"
#include "t.h"

#define ABUS 0x10000000ull

void test_agent_hello_fields(void)
{
    tagent_t *t = tagent_plain(0x40000, ABUS, 256, 65536);
    resp_t r;
    REQUIRE(tagent_call(t, MSG_HELLO, 1, NULL, 0, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    const uint8_t *b = r.body;
    REQUIRE(r.body_len >= RESP_HELLO_FIXED + 4);
    CHECK_EQ(get_u16(b), AGENT_VERSION_MAJOR);
    CHECK_EQ(get_u16(b + 2), AGENT_VERSION_MINOR);
    CHECK_EQ(get_u16(b + 4), AGENT_VERSION_PATCH);
    CHECK_EQ(b[6], TARGET_PYNQ);
    CHECK_EQ(b[7], 0); /* no cycle counter, no reset register, no bitstream command, real memory */
    CHECK_EQ(get_u64(b + 8), 0x40000);
    CHECK_EQ(get_u32(b + 16), 256);
    CHECK_EQ(get_u32(b + 20), 65536);
    CHECK_EQ(get_u32(b + 24), 4);   /* UOP */
    CHECK_EQ(get_u32(b + 28), 256); /* WGT */
    CHECK_EQ(get_u32(b + 32), 16);  /* INP */
    CHECK_EQ(get_u32(b + 36), 64);  /* ACC */
    CHECK_EQ(get_u32(b + 40), 16);  /* OUT */
    uint16_t l1 = get_u16(b + 44);
    CHECK_EQ(l1, strlen("unit-board"));
    CHECK(memcmp(b + 46, "unit-board", l1) == 0);
    uint16_t l2 = get_u16(b + 46 + l1);
    CHECK_EQ(l2, strlen("1x16_i8w8a32_15_15_18_17"));
    CHECK(memcmp(b + 48 + l1, "1x16_i8w8a32_15_15_18_17", l2) == 0);
    CHECK_EQ(r.body_len, RESP_HELLO_FIXED + 4u + l1 + l2);
    /* HELLO with a payload is a length error */
    REQUIRE(tagent_call(t, MSG_HELLO, 2, "x", 1, &r) == 0);
    CHECK_EQ(r.code, E_LENGTH);
    tagent_free(t);
}

void test_agent_write_read_roundtrip(void)
{
    const uint32_t maxp = 65536;
    tagent_t *t = tagent_plain(0x40000, ABUS, 256, maxp);
    static uint8_t pl[65536], data[65536];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 13 + 1);
    resp_t r;
    /* largest WRITE chunk: max_payload - 12; at odd offsets to exercise the aligned copier */
    uint32_t n = pl_write(pl, 3, data, maxp - 12);
    REQUIRE(tagent_call(t, MSG_WRITE, 10, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(r.body_len, 0);
    CHECK(memcmp(t->arena_mem + 3, data, maxp - 12) == 0);
    /* largest READ: max_payload - 4 */
    n = pl_read(pl, 3, maxp - 4);
    REQUIRE(tagent_call(t, MSG_READ, 11, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(r.body_len, maxp - 4);
    CHECK(memcmp(r.body, data, maxp - 12) == 0);
    /* zero-length WRITE and READ are fine */
    n = pl_write(pl, 0x40000, NULL, 0);
    REQUIRE(tagent_call(t, MSG_WRITE, 12, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    n = pl_read(pl, 0x40000, 0);
    REQUIRE(tagent_call(t, MSG_READ, 13, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(r.body_len, 0);
    /* the very last bytes of the arena */
    n = pl_write(pl, 0x40000 - 5, "\x01\x02\x03\x04\x05", 5);
    REQUIRE(tagent_call(t, MSG_WRITE, 14, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    n = pl_read(pl, 0x40000 - 5, 5);
    REQUIRE(tagent_call(t, MSG_READ, 15, pl, n, &r) == 0);
    CHECK(r.body_len == 5 && memcmp(r.body, "\x01\x02\x03\x04\x05", 5) == 0);
    tagent_free(t);
}

void test_agent_write_read_range_checks(void)
{
    tagent_t *t = tagent_plain(0x10000, ABUS, 16, 4096);
    uint8_t pl[64];
    resp_t r;
    const struct {
        uint64_t off;
        uint32_t len;
    } bad[] = {{0x10000, 1}, {0xFFFF, 2}, {0x10001, 0}, {0xFFFFFFFFFFFFFFFFull, 1}, {0xFFFFFFFFFFFFFFF0ull, 32}};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        uint8_t d[32] = {0};
        uint32_t n = pl_write(pl, bad[k].off, d, bad[k].len);
        REQUIRE(tagent_call(t, MSG_WRITE, 100 + (uint32_t)k, pl, n, &r) == 0);
        CHECK_EQ(r.code, E_RANGE);
        CHECK(strstr(r.text, "outside the arena") != NULL);
        n = pl_read(pl, bad[k].off, bad[k].len);
        REQUIRE(tagent_call(t, MSG_READ, 200 + (uint32_t)k, pl, n, &r) == 0);
        CHECK_EQ(r.code, E_RANGE);
    }
    /* length field disagreeing with the frame */
    uint32_t n = pl_write(pl, 0, "abcd", 4);
    put_u32(pl + 8, 5);
    REQUIRE(tagent_call(t, MSG_WRITE, 300, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_LENGTH);
    REQUIRE(tagent_call(t, MSG_WRITE, 301, pl, 11, &r) == 0);
    CHECK_EQ(r.code, E_LENGTH);
    REQUIRE(tagent_call(t, MSG_READ, 302, pl, 13, &r) == 0);
    CHECK_EQ(r.code, E_LENGTH);
    /* READ longer than one response can carry */
    n = pl_read(pl, 0, 4096 - 3);
    REQUIRE(tagent_call(t, MSG_READ, 303, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_ARGUMENT);
    CHECK_EQ(r.arg, 4096 - 4);
    /* nothing was written anywhere */
    for (size_t i = 0; i < 0x10000; i++)
        if (t->arena_mem[i]) {
            t_fail(__FILE__, __LINE__, "arena byte %zu changed", i);
            break;
        }
    tagent_free(t);
}

void test_agent_duplicate_replayed_not_executed(void)
{
    tagent_t *t = tagent_plain(0x10000, ABUS, 16, 4096);
    uint8_t pl[64], req[128], first[128];
    resp_t r;
    uint32_t n = pl_write(pl, 0x20, "AAAA", 4);
    size_t len = mk_req(req, MSG_WRITE, 7, pl, n);
    CHECK_EQ(tagent_feed(t, req, len), 1);
    size_t first_len = t->cap.len;
    memcpy(first, t->cap.buf, first_len);
    t->cap.len = 0;
    CHECK(memcmp(t->arena_mem + 0x20, "AAAA", 4) == 0);
    /* change the memory behind the agent's back; the identical retry must not write again */
    memcpy(t->arena_mem + 0x20, "BBBB", 4);
    CHECK_EQ(tagent_feed(t, req, len), 1);
    CHECK_EQ(t->cap.len, first_len);
    CHECK(memcmp(t->cap.buf, first, first_len) == 0); /* the cached response, byte for byte */
    CHECK(memcmp(t->arena_mem + 0x20, "BBBB", 4) == 0);
    t->cap.len = 0;
    /* three retries in one burst: three replays */
    uint8_t burst[384];
    memcpy(burst, req, len);
    memcpy(burst + len, req, len);
    memcpy(burst + 2 * len, req, len);
    CHECK_EQ(tagent_feed(t, burst, 3 * len), 3);
    CHECK(memcmp(t->arena_mem + 0x20, "BBBB", 4) == 0);
    t->cap.len = 0;
    agent_counters_t c;
    agent_counters(&t->a, &c);
    CHECK_EQ(c.duplicates, 4);
    /* same sequence number but different content: a new request, executed */
    n = pl_write(pl, 0x20, "CCCC", 4);
    REQUIRE(tagent_call(t, MSG_WRITE, 7, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK(memcmp(t->arena_mem + 0x20, "CCCC", 4) == 0);
    /* after another request, the old one is no longer "the last": executed again */
    REQUIRE(tagent_call(t, MSG_STATUS, 8, NULL, 0, &r) == 0);
    memcpy(t->arena_mem + 0x20, "DDDD", 4);
    CHECK_EQ(tagent_feed(t, req, len), 1);
    CHECK(memcmp(t->arena_mem + 0x20, "AAAA", 4) == 0);
    agent_counters(&t->a, &c);
    CHECK_EQ(c.duplicates, 4);
    /* an error response is replayed too */
    t->cap.len = 0;
    n = pl_read(pl, 0x20000, 4);
    size_t l2 = mk_req(req, MSG_READ, 9, pl, n);
    CHECK_EQ(tagent_feed(t, req, l2), 1);
    CHECK_EQ(tagent_feed(t, req, l2), 2);
    agent_counters(&t->a, &c);
    CHECK_EQ(c.duplicates, 5);
    tagent_free(t);
}

void test_agent_header_errors_and_nak(void)
{
    tagent_t *t = tagent_plain(0x10000, ABUS, 16, 4096);
    uint8_t f[64];
    resp_t r;
    /* unknown type */
    REQUIRE(tagent_call(t, 0x7E, 1, NULL, 0, &r) == 0);
    CHECK_EQ(r.code, E_TYPE);
    CHECK_EQ(r.arg, 0x7E);
    /* wrong version: answered (version error, agent's version in arg), not executed */
    size_t n = mk_req(f, MSG_STATUS, 2, NULL, 0);
    f[WIRE_OFF_VERSION] = 2;
    put_u32(f + WIRE_OFF_HCRC, crc32_calc(f, WIRE_OFF_HCRC));
    put_u32(f + WIRE_HDR_SIZE, crc32_calc(f, WIRE_HDR_SIZE));
    t->cap.len = 0;
    CHECK_EQ(tagent_feed(t, f, n), 1);
    REQUIRE(tagent_next_resp(t, &r) == 0);
    CHECK_EQ(r.code, E_VERSION);
    CHECK_EQ(r.arg, WIRE_VERSION);
    CHECK_EQ(r.seq, 2);
    /* reserved flag bits */
    n = mk_req(f, MSG_STATUS, 3, NULL, 0);
    f[WIRE_OFF_FLAGS] = 0x80;
    put_u32(f + WIRE_OFF_HCRC, crc32_calc(f, WIRE_OFF_HCRC));
    put_u32(f + WIRE_HDR_SIZE, crc32_calc(f, WIRE_HDR_SIZE));
    t->cap.len = 0;
    CHECK_EQ(tagent_feed(t, f, n), 1);
    REQUIRE(tagent_next_resp(t, &r) == 0);
    CHECK_EQ(r.code, E_HEADER);
    /* a frame marked as a response (e.g. our own echo) is ignored silently */
    n = frame_encode(f, sizeof(f), MSG_WRITE, WIRE_FLAG_RESPONSE, 4, (const uint8_t *)"\0\0\0\0", 4);
    t->cap.len = 0;
    CHECK_EQ(tagent_feed(t, f, n), 0);
    /* payload CRC wrong, header fine: an advisory E_CRC naming the sequence number */
    uint8_t pl[32];
    uint32_t pn = pl_write(pl, 0, "zzzz", 4);
    n = mk_req(f, MSG_WRITE, 5, pl, pn);
    f[WIRE_HDR_SIZE + 12] ^= 0x40;
    t->cap.len = 0;
    CHECK_EQ(tagent_feed(t, f, n), 1);
    REQUIRE(tagent_next_resp(t, &r) == 0);
    CHECK_EQ(r.code, E_CRC);
    CHECK_EQ(r.seq, 5);
    CHECK_EQ(r.type, MSG_WRITE);
    CHECK(t->arena_mem[0] == 0);
    /* the resend is executed normally */
    n = mk_req(f, MSG_WRITE, 5, pl, pn);
    t->cap.len = 0;
    CHECK_EQ(tagent_feed(t, f, n), 1);
    REQUIRE(tagent_next_resp(t, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK(memcmp(t->arena_mem, "zzzz", 4) == 0);
    agent_counters_t c;
    agent_counters(&t->a, &c);
    CHECK_EQ(c.ignored, 1);
    CHECK_EQ(c.crc_errors, 1);
    tagent_free(t);
}

void test_agent_oversize_frame_answered(void)
{
    tagent_t *t = tagent_plain(0x10000, ABUS, 16, 4096);
    static uint8_t f[8192], pl[8192];
    memset(pl, 0, sizeof(pl));
    size_t n = frame_encode(f, sizeof(f), MSG_WRITE, 0, 42, pl, 5000);
    t->cap.len = 0;
    CHECK_EQ(tagent_feed(t, f, n), 1);
    resp_t r;
    REQUIRE(tagent_next_resp(t, &r) == 0);
    CHECK_EQ(r.code, E_TOO_LARGE);
    CHECK_EQ(r.arg, 4096);
    CHECK_EQ(r.seq, 42);
    /* the link still works */
    REQUIRE(tagent_call(t, MSG_STATUS, 43, NULL, 0, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(get_u64(r.body + 40 + 8 * 7), 1); /* oversize counter */
    tagent_free(t);
}

void test_agent_run_refusals(void)
{
    tagent_t *t = tagent_plain(0x10000, ABUS, 8, 4096);
    uint8_t pl[128], prog[4 * 16];
    resp_t r;
    /* program: LOAD INP ok, STORE OUT out of the arena, FINISH */
    enc_mem(prog, VTA_OP_LOAD, VTA_MEM_INP, 0, 0, 1, 4, 4);
    enc_mem(prog + 16, VTA_OP_LOAD, VTA_MEM_INP, 0, 16, 2, 4, 8);
    enc_mem(prog + 32, VTA_OP_STORE, VTA_MEM_OUT, 0, 0x10000 / 16, 1, 1, 1);
    enc_finish(prog + 48);
    uint32_t n = pl_write(pl, 0x100, prog, sizeof(prog));
    REQUIRE(tagent_call(t, MSG_WRITE, 1, pl, n, &r) == 0 && r.code == E_OK);
    n = pl_run(pl, 0x100, 4, 1000);
    REQUIRE(tagent_call(t, MSG_RUN, 2, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_INSN_RANGE);
    CHECK_EQ(r.arg, 2);
    CHECK(strstr(r.text, "insn 2") != NULL);
    CHECK(memcmp(t->arena_mem + 0x100, prog, sizeof(prog)) == 0); /* the host's copy is never modified */
    /* unknown memory type */
    enc_mem(prog + 32, VTA_OP_LOAD, 6, 0, 0, 1, 1, 1);
    n = pl_write(pl, 0x100, prog, sizeof(prog));
    REQUIRE(tagent_call(t, MSG_WRITE, 3, pl, n, &r) == 0 && r.code == E_OK);
    n = pl_run(pl, 0x100, 4, 1000);
    REQUIRE(tagent_call(t, MSG_RUN, 4, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_INSN_MEMTYPE);
    CHECK_EQ(r.arg, 2);
    /* instruction count 0, over capacity, stream outside the arena, timeouts */
    n = pl_run(pl, 0x100, 0, 1000);
    REQUIRE(tagent_call(t, MSG_RUN, 5, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_ARGUMENT);
    n = pl_run(pl, 0x100, 9, 1000);
    REQUIRE(tagent_call(t, MSG_RUN, 6, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_CAPACITY);
    CHECK_EQ(r.arg, 8);
    n = pl_run(pl, 0x10000 - 16 * 3, 4, 1000);
    REQUIRE(tagent_call(t, MSG_RUN, 7, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_RANGE);
    n = pl_run(pl, 0x100, 4, 0);
    REQUIRE(tagent_call(t, MSG_RUN, 8, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_ARGUMENT);
    n = pl_run(pl, 0x100, 4, RUN_MAX_TIMEOUT_MS + 1);
    REQUIRE(tagent_call(t, MSG_RUN, 9, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_ARGUMENT);
    REQUIRE(tagent_call(t, MSG_RUN, 10, pl, 15, &r) == 0);
    CHECK_EQ(r.code, E_LENGTH);
    /* a valid program reaches the (missing) driver: relocated copy in the instruction buffer */
    enc_mem(prog + 32, VTA_OP_STORE, VTA_MEM_OUT, 0, 10, 1, 1, 1);
    n = pl_write(pl, 0x100, prog, sizeof(prog));
    REQUIRE(tagent_call(t, MSG_WRITE, 11, pl, n, &r) == 0 && r.code == E_OK);
    n = pl_run(pl, 0x100, 4, 1000);
    REQUIRE(tagent_call(t, MSG_RUN, 12, pl, n, &r) == 0);
    CHECK_EQ(r.code, E_INTERNAL);
    mem_insn_t m;
    insn_decode_mem(t->insn_mem + 32, &m);
    CHECK_EQ(m.dram_base, 10 + ABUS / 16);
    insn_decode_mem(t->insn_mem + 16, &m);
    CHECK_EQ(m.dram_base, 16 + ABUS / 16);
    CHECK(memcmp(t->insn_mem + 48, prog + 48, 16) == 0);
    /* STATUS tells the last run was refused */
    REQUIRE(tagent_call(t, MSG_STATUS, 13, NULL, 0, &r) == 0);
    CHECK_EQ(r.body[1], LAST_REFUSED);
    CHECK_EQ(get_u16(r.body + 2), E_INTERNAL);
    CHECK_EQ(get_u32(r.body + 4), 12);
    CHECK_EQ(get_u64(r.body + 40 + 8 * 6), 8); /* refused (the E_LENGTH one is not a run) */
    CHECK_EQ(get_u64(r.body + 40 + 8 * 4), 0); /* runs */
    tagent_free(t);
}

void test_agent_status_counters(void)
{
    tagent_t *t = tagent_plain(0x10000, ABUS, 8, 4096);
    resp_t r;
    uint8_t junk[100];
    for (int i = 0; i < 100; i++)
        junk[i] = (uint8_t)i;
    tagent_feed(t, junk, sizeof(junk));
    REQUIRE(tagent_call(t, MSG_STATUS, 1, NULL, 0, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(r.body_len, RESP_STATUS_SIZE);
    CHECK_EQ(r.body[0], STATE_IDLE);
    CHECK_EQ(r.body[1], LAST_NONE);
    CHECK_EQ(get_u64(r.body + 40), 1);       /* frames_ok, counting this STATUS */
    CHECK_EQ(get_u64(r.body + 48), 0);       /* crc_errors */
    CHECK_EQ(get_u64(r.body + 56), 1);       /* resyncs */
    CHECK_EQ(get_u64(r.body + 40 + 8 * 8), 100); /* garbage bytes */
    uint8_t pl[4];
    pl_reset(pl, RESET_SOFT);
    REQUIRE(tagent_call(t, MSG_RESET, 2, pl, 4, &r) == 0);
    CHECK_EQ(r.code, E_OK);
    CHECK_EQ(r.body[0], RESET_SOFT);
    CHECK_EQ(r.body[1], 0); /* nothing to pulse without a driver */
    pl[0] = 9;
    REQUIRE(tagent_call(t, MSG_RESET, 3, pl, 4, &r) == 0);
    CHECK_EQ(r.code, E_ARGUMENT);
    REQUIRE(tagent_call(t, MSG_STATUS, 4, NULL, 0, &r) == 0);
    CHECK_EQ(get_u64(r.body + 40 + 8 * 9), 1); /* soft resets */
    CHECK_EQ(get_u64(r.body + 40), 4);
    tagent_free(t);
}
