/* helpers.h - building requests, reading responses, in-process agents, temp files. */
#ifndef VTA_AGENT_TEST_HELPERS_H
#define VTA_AGENT_TEST_HELPERS_H
#include <stddef.h>
#include <stdint.h>
#include "agent.h"
#include "frame.h"

typedef struct {
    uint8_t *buf;
    size_t len, cap;
    int fail_writes;
} capture_t;
int capture_write(void *ctx, const uint8_t *buf, size_t len);

/* Encode a request (flags 0) into dst; returns its size. */
size_t mk_req(uint8_t *dst, uint8_t type, uint32_t seq, const void *payload, uint32_t len);
uint32_t pl_write(uint8_t *pl, uint64_t off, const void *data, uint32_t len);
uint32_t pl_read(uint8_t *pl, uint64_t off, uint32_t len);
uint32_t pl_run(uint8_t *pl, uint64_t off, uint32_t count, uint32_t timeout_ms);
uint32_t pl_reset(uint8_t *pl, uint8_t kind);

typedef struct {
    uint8_t type, flags;
    uint32_t seq;
    uint16_t code;      /* response code */
    uint32_t arg;       /* errors */
    char text[256];     /* errors */
    const uint8_t *body; /* OK: body after the 4-byte prefix */
    uint32_t body_len;
    const uint8_t *raw; /* whole frame */
    size_t raw_len;
} resp_t;
/* Decode a response frame (payload must be present). 0 or -1 when malformed. */
int resp_decode(const frame_t *f, resp_t *r);

/* In-process agent with a capture writer. */
typedef struct {
    agent_t a;
    capture_t cap;
    uint8_t *arena_mem, *insn_mem; /* plain agents only */
    uint8_t *req;
    rx_t resp_rx;
    uint8_t *resp_rxbuf;
} tagent_t;

/* An agent on ordinary memory, no driver (unit tests). */
tagent_t *tagent_plain(uint64_t arena_size, uint64_t arena_bus, uint32_t insn_capacity, uint32_t max_payload);
/* An agent from a command line (argv[0] ignored), e.g. on a shared file. NULL with err printed. */
tagent_t *tagent_open(int argc, const char *const *argv);
void tagent_free(tagent_t *t);
/* Send raw bytes, pump, return the number of responses now captured. */
int tagent_feed(tagent_t *t, const uint8_t *bytes, size_t n);
/* Send one request and decode exactly one response into r; 0 or -1. */
int tagent_call(tagent_t *t, uint8_t type, uint32_t seq, const void *payload, uint32_t len, resp_t *r);
/* Decode the next captured response; 0 or -1 when none. */
int tagent_next_resp(tagent_t *t, resp_t *r);

/* VTA instruction encoders (vta-isa.md 2.4/2.5) */
void enc_mem(uint8_t out[16], uint32_t opcode, uint32_t mem_type, uint32_t sram_base, uint32_t dram_base,
             uint32_t y_size, uint32_t x_size, uint32_t x_stride);
void enc_finish(uint8_t out[16]);
void enc_gemm(uint8_t out[16], uint32_t uop_bgn, uint32_t uop_end, uint32_t iter_out, uint32_t iter_in);

/* A fresh temp directory (removed with rm_tree). */
int make_tmpdir(char *out, size_t len);
void rm_tree(const char *dir);
#endif
