/* fuzz_frame.c - libFuzzer target: the frame reader and every request handler.
 * Mode byte 0 (even): the input is a raw byte stream cut into chunks.
 * Mode byte 1 (odd): the input is a list of records [type][flags][len lo][len hi][payload...]
 * that are framed with valid CRCs (so the handlers see arbitrary payloads), with an optional
 * corruption byte. Every byte the agent writes must parse back as well-formed response frames. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "agent.h"
#include "crc32.h"
#include "frame.h"
#include "util.h"

#define MAXP 4096u
#define ARENA 65536u
#define INSN_CAP 64u

static uint8_t arena[ARENA] __attribute__((aligned(4096)));
static uint8_t insn[INSN_CAP * 16] __attribute__((aligned(4096)));
static agent_t agent;
static rx_t check_rx;
static uint8_t check_buf[MAXP + WIRE_OVERHEAD + 65536 + 64];
static uint8_t frame_buf[MAXP + WIRE_OVERHEAD];

static int sink(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    size_t done = 0;
    while (done < len) {
        done += rx_push(&check_rx, buf + done, len - done);
        frame_t f;
        rx_event_t ev;
        while ((ev = rx_poll(&check_rx, &f)) != RX_NEED_MORE) {
            if (ev != RX_FRAME || !(f.flags & WIRE_FLAG_RESPONSE) || f.payload_len < RESP_PREFIX)
                abort(); /* the agent emitted something that is not a well-formed response */
        }
    }
    if (check_rx.garbage_bytes != 0)
        abort();
    return 0;
}

static void setup(void)
{
    agent_params_t p;
    char err[128];
    memset(&p, 0, sizeof(p));
    if (vta_config_parse("1x16_i8w8a32_15_15_18_17", &p.cfg, err, sizeof(err)) != 0)
        abort();
    p.config_str = "1x16_i8w8a32_15_15_18_17";
    p.board_id = "fuzz";
    p.max_payload = MAXP;
    p.arena = arena;
    p.arena_size = ARENA;
    p.arena_bus = 0x10000000u;
    p.insn_buf = insn;
    p.insn_capacity = INSN_CAP;
    p.insn_bus = 0x10000000u + ARENA;
    p.write = sink;
    if (agent_init(&agent, &p) != 0)
        abort();
    rx_init(&check_rx, check_buf, sizeof(check_buf), WIRE_MAX_MAX_PAYLOAD);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        g_log_level = LOG_QUIET;
        setup();
        ready = 1;
    }
    if (size == 0)
        return 0;
    /* fresh reader and state for each input, same buffers (no allocation) */
    rx_init(&agent.rx, agent.rxbuf, rx_buffer_size(MAXP), MAXP);
    agent.cache_valid = 0;
    agent.state = STATE_IDLE;
    rx_init(&check_rx, check_buf, sizeof(check_buf), WIRE_MAX_MAX_PAYLOAD);

    uint8_t mode = data[0];
    data++;
    size--;
    if ((mode & 1u) == 0) {
        size_t chunk = (size_t)(mode >> 1) + 1u;
        for (size_t off = 0; off < size;) {
            size_t k = size - off < chunk ? size - off : chunk;
            rx_push(&agent.rx, data + off, k);
            off += k;
            agent_pump(&agent);
        }
        return 0;
    }
    uint32_t seq = 1;
    size_t off = 0;
    while (off + 4 <= size) {
        uint8_t type = data[off], flags = data[off + 1];
        uint32_t len = (uint32_t)data[off + 2] | ((uint32_t)data[off + 3] << 8);
        off += 4;
        if (len > size - off)
            len = (uint32_t)(size - off);
        if (len > MAXP)
            len = MAXP;
        size_t n = frame_encode(frame_buf, sizeof(frame_buf), (uint8_t)(type % 8u), (uint8_t)(flags & 0x81u),
                                (flags & 0x40u) ? seq : seq++, data + off, len);
        if ((flags & 0x20u) && n > 0)
            frame_buf[(flags ^ len) % n] ^= (uint8_t)(1u << (type % 8u)); /* corrupt one bit */
        off += len;
        rx_push(&agent.rx, frame_buf, n);
        agent_pump(&agent);
    }
    return 0;
}
