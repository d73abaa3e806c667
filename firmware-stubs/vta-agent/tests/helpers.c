/* helpers.c - test helpers. */
#include "helpers.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "crc32.h"

int capture_write(void *ctx, const uint8_t *buf, size_t len)
{
    capture_t *c = (capture_t *)ctx;
    if (c->fail_writes)
        return -1;
    if (c->len + len > c->cap) {
        size_t nc = (c->len + len) * 2;
        uint8_t *nb = realloc(c->buf, nc);
        if (!nb)
            return -1;
        c->buf = nb;
        c->cap = nc;
    }
    memcpy(c->buf + c->len, buf, len);
    c->len += len;
    return 0;
}

size_t mk_req(uint8_t *dst, uint8_t type, uint32_t seq, const void *payload, uint32_t len)
{
    return frame_encode(dst, (size_t)len + WIRE_OVERHEAD, type, 0, seq, (const uint8_t *)payload, len);
}

uint32_t pl_write(uint8_t *pl, uint64_t off, const void *data, uint32_t len)
{
    put_u64(pl, off);
    put_u32(pl + 8, len);
    if (len)
        memcpy(pl + 12, data, len);
    return 12 + len;
}
uint32_t pl_read(uint8_t *pl, uint64_t off, uint32_t len)
{
    put_u64(pl, off);
    put_u32(pl + 8, len);
    return 12;
}
uint32_t pl_run(uint8_t *pl, uint64_t off, uint32_t count, uint32_t timeout_ms)
{
    put_u64(pl, off);
    put_u32(pl + 8, count);
    put_u32(pl + 12, timeout_ms);
    return 16;
}
uint32_t pl_reset(uint8_t *pl, uint8_t kind)
{
    pl[0] = kind;
    pl[1] = pl[2] = pl[3] = 0;
    return 4;
}

int resp_decode(const frame_t *f, resp_t *r)
{
    memset(r, 0, sizeof(*r));
    r->type = f->type;
    r->flags = f->flags;
    r->seq = f->seq;
    if (f->payload_len < RESP_PREFIX)
        return -1;
    r->code = get_u16(f->payload);
    if (r->code == E_OK) {
        r->body = f->payload + RESP_PREFIX;
        r->body_len = f->payload_len - RESP_PREFIX;
        return 0;
    }
    if (f->payload_len < RESP_PREFIX + RESP_ERROR_FIXED)
        return -1;
    r->arg = get_u32(f->payload + 4);
    uint16_t tl = get_u16(f->payload + 8);
    if ((uint32_t)tl + RESP_PREFIX + RESP_ERROR_FIXED != f->payload_len || tl >= sizeof(r->text))
        return -1;
    memcpy(r->text, f->payload + 10, tl);
    r->text[tl] = '\0';
    return 0;
}

static tagent_t *tagent_alloc(void)
{
    tagent_t *t = calloc(1, sizeof(*t));
    t->req = malloc(WIRE_MAX_MAX_PAYLOAD + WIRE_OVERHEAD);
    t->resp_rxbuf = malloc(rx_buffer_size(WIRE_MAX_MAX_PAYLOAD));
    rx_init(&t->resp_rx, t->resp_rxbuf, rx_buffer_size(WIRE_MAX_MAX_PAYLOAD), WIRE_MAX_MAX_PAYLOAD);
    return t;
}

tagent_t *tagent_plain(uint64_t arena_size, uint64_t arena_bus, uint32_t insn_capacity, uint32_t max_payload)
{
    tagent_t *t = tagent_alloc();
    agent_params_t p;
    memset(&p, 0, sizeof(p));
    char err[256];
    if (vta_config_parse("1x16_i8w8a32_15_15_18_17", &p.cfg, err, sizeof(err)) != 0)
        abort();
    if (posix_memalign((void **)&t->arena_mem, 4096, (size_t)arena_size) != 0 ||
        posix_memalign((void **)&t->insn_mem, 4096, (size_t)insn_capacity * 16u) != 0)
        abort();
    memset(t->arena_mem, 0, (size_t)arena_size);
    memset(t->insn_mem, 0, (size_t)insn_capacity * 16u);
    p.config_str = "1x16_i8w8a32_15_15_18_17";
    p.board_id = "unit-board";
    p.target = TARGET_PYNQ;
    p.max_payload = max_payload;
    p.arena = t->arena_mem;
    p.arena_size = arena_size;
    p.arena_bus = arena_bus;
    p.insn_buf = t->insn_mem;
    p.insn_capacity = insn_capacity;
    p.insn_bus = arena_bus + arena_size;
    p.write = capture_write;
    p.write_ctx = &t->cap;
    if (agent_init(&t->a, &p) != 0)
        abort();
    return t;
}

tagent_t *tagent_open(int argc, const char *const *argv)
{
    options_t o;
    char err[512];
    if (cli_parse(argc, (char **)(uintptr_t)argv, &o, err, sizeof(err)) != 0) {
        printf("    tagent_open: cli: %s\n", err);
        return NULL;
    }
    tagent_t *t = tagent_alloc();
    if (agent_open(&t->a, &o, capture_write, &t->cap, err, sizeof(err)) != 0) {
        printf("    tagent_open: %s\n", err);
        free(t->req);
        free(t->resp_rxbuf);
        free(t);
        return NULL;
    }
    return t;
}

void tagent_free(tagent_t *t)
{
    if (!t)
        return;
    agent_close(&t->a);
    free(t->arena_mem);
    free(t->insn_mem);
    free(t->cap.buf);
    free(t->req);
    free(t->resp_rxbuf);
    free(t);
}

static int count_frames(const uint8_t *b, size_t n)
{
    int k = 0;
    for (size_t i = 0; i + 4 <= n; i++)
        if (b[i] == WIRE_MAGIC0 && b[i + 1] == WIRE_MAGIC1 && b[i + 2] == WIRE_MAGIC2 && b[i + 3] == WIRE_MAGIC3)
            k++;
    return k;
}

int tagent_feed(tagent_t *t, const uint8_t *bytes, size_t n)
{
    size_t done = 0;
    while (done < n) {
        size_t k = rx_push(&t->a.rx, bytes + done, n - done);
        done += k;
        if (agent_pump(&t->a) != 0)
            return -1;
    }
    if (agent_pump(&t->a) != 0)
        return -1;
    return count_frames(t->cap.buf, t->cap.len);
}

int tagent_next_resp(tagent_t *t, resp_t *r)
{
    if (t->cap.len) {
        rx_push(&t->resp_rx, t->cap.buf, t->cap.len);
        t->cap.len = 0;
    }
    frame_t f;
    rx_event_t ev = rx_poll(&t->resp_rx, &f);
    if (ev != RX_FRAME)
        return -1;
    if (resp_decode(&f, r) != 0)
        return -1;
    r->raw = f.payload - WIRE_HDR_SIZE;
    r->raw_len = (size_t)f.payload_len + WIRE_OVERHEAD;
    return 0;
}

int tagent_call(tagent_t *t, uint8_t type, uint32_t seq, const void *payload, uint32_t len, resp_t *r)
{
    size_t n = mk_req(t->req, type, seq, payload, len);
    t->cap.len = 0;
    if (tagent_feed(t, t->req, n) != 1)
        return -1;
    if (tagent_next_resp(t, r) != 0)
        return -1;
    if (r->seq != seq || r->type != type || r->flags != WIRE_FLAG_RESPONSE)
        return -1;
    return 0;
}

void enc_mem(uint8_t out[16], uint32_t opcode, uint32_t mem_type, uint32_t sram_base, uint32_t dram_base,
             uint32_t y_size, uint32_t x_size, uint32_t x_stride)
{
    uint64_t w0 = (uint64_t)(opcode & 7u) | ((uint64_t)(mem_type & 7u) << 7) | ((uint64_t)(sram_base & 0xFFFFu) << 10) |
                  ((uint64_t)dram_base << 26);
    uint64_t w1 = (uint64_t)(y_size & 0xFFFFu) | ((uint64_t)(x_size & 0xFFFFu) << 16) |
                  ((uint64_t)(x_stride & 0xFFFFu) << 32);
    put_u64(out, w0);
    put_u64(out + 8, w1);
}

void enc_finish(uint8_t out[16])
{
    put_u64(out, VTA_OP_FINISH);
    put_u64(out + 8, 0);
}

void enc_gemm(uint8_t out[16], uint32_t uop_bgn, uint32_t uop_end, uint32_t iter_out, uint32_t iter_in)
{
    uint64_t w0 = (uint64_t)VTA_OP_GEMM | ((uint64_t)uop_bgn << 8) | ((uint64_t)uop_end << 21) |
                  ((uint64_t)iter_out << 35) | ((uint64_t)iter_in << 49);
    put_u64(out, w0);
    put_u64(out + 8, 0x0123456789ABCDEFull);
}

int make_tmpdir(char *out, size_t len)
{
    const char *base = getenv("TMPDIR");
    snprintf(out, len, "%s/vta-agent-test-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(out) ? 0 : -1;
}

void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[1024];
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}
