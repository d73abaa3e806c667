/* frame.c - frame encoding and the resynchronising reader. */
#include "frame.h"
#include <string.h>
#include "crc32.h"

void rx_init(rx_t *rx, uint8_t *buf, size_t cap, uint32_t max_payload)
{
    memset(rx, 0, sizeof(*rx));
    rx->buf = buf;
    rx->cap = cap;
    rx->max_payload = max_payload;
}

uint8_t *rx_space(rx_t *rx, size_t *len)
{
    if (rx->start == rx->end) {
        rx->start = rx->end = 0;
    } else if (rx->start > 0 &&
               (rx->end == rx->cap || rx->start + rx->need > rx->cap || rx->start > rx->cap / 2)) {
        memmove(rx->buf, rx->buf + rx->start, rx->end - rx->start);
        rx->end -= rx->start;
        rx->start = 0;
    }
    *len = rx->cap - rx->end;
    return rx->buf + rx->end;
}

void rx_commit(rx_t *rx, size_t n) { rx->end += n; }

size_t rx_push(rx_t *rx, const uint8_t *data, size_t n)
{
    size_t done = 0;
    while (done < n) {
        size_t space;
        uint8_t *p = rx_space(rx, &space);
        if (space == 0)
            break;
        size_t k = n - done < space ? n - done : space;
        memcpy(p, data + done, k);
        rx_commit(rx, k);
        done += k;
    }
    return done;
}

static void discard(rx_t *rx, size_t n)
{
    if (n == 0)
        return;
    if (!rx->in_garbage) {
        rx->in_garbage = 1;
        rx->resyncs++;
    }
    rx->garbage_bytes += n;
    rx->start += n;
}

static int is_magic(const uint8_t *p)
{
    return p[0] == WIRE_MAGIC0 && p[1] == WIRE_MAGIC1 && p[2] == WIRE_MAGIC2 && p[3] == WIRE_MAGIC3;
}

static void parse_header(const uint8_t *h, frame_t *f)
{
    f->version = h[WIRE_OFF_VERSION];
    f->type = h[WIRE_OFF_TYPE];
    f->flags = h[WIRE_OFF_FLAGS];
    f->reserved = h[WIRE_OFF_RESERVED];
    f->seq = get_u32(h + WIRE_OFF_SEQ);
    f->payload_len = get_u32(h + WIRE_OFF_LEN);
    f->payload = NULL;
    f->crc = 0;
}

rx_event_t rx_poll(rx_t *rx, frame_t *out)
{
    for (;;) {
        rx->need = 0;
        /* 1. find the magic, byte by byte */
        size_t i = rx->start;
        while (i + 4 <= rx->end && !is_magic(rx->buf + i))
            i++;
        if (i + 4 > rx->end) {
            /* no magic: keep up to 3 trailing bytes that may begin one */
            size_t keep = rx->end - rx->start;
            if (keep > 3)
                keep = 3;
            while (keep > 0) {
                const uint8_t *t = rx->buf + rx->end - keep;
                static const uint8_t m[4] = {WIRE_MAGIC0, WIRE_MAGIC1, WIRE_MAGIC2, WIRE_MAGIC3};
                if (memcmp(t, m, keep) == 0)
                    break;
                keep--;
            }
            discard(rx, rx->end - keep - rx->start);
            return RX_NEED_MORE;
        }
        discard(rx, i - rx->start);

        /* 2. header */
        if (rx->end - rx->start < WIRE_HDR_SIZE) {
            rx->need = WIRE_HDR_SIZE;
            return RX_NEED_MORE;
        }
        const uint8_t *h = rx->buf + rx->start;
        if (crc32_calc(h, WIRE_OFF_HCRC) != get_u32(h + WIRE_OFF_HCRC)) {
            rx->crc_errors++;
            discard(rx, 1); /* rescan from the byte after this magic */
            continue;
        }
        parse_header(h, out);
        rx->in_garbage = 0;
        if (out->payload_len > rx->max_payload) {
            rx->oversize++;
            rx->start += WIRE_HDR_SIZE; /* the payload that follows is scanned as garbage */
            return RX_OVERSIZE;
        }
        size_t total = WIRE_OVERHEAD + (size_t)out->payload_len;
        if (rx->end - rx->start < total) {
            rx->need = total;
            return RX_NEED_MORE;
        }
        uint32_t want = get_u32(h + WIRE_HDR_SIZE + out->payload_len);
        out->crc = want;
        if (crc32_calc(h, WIRE_HDR_SIZE + out->payload_len) != want) {
            rx->crc_errors++;
            discard(rx, 1); /* the length may be wrong too: rescan from magic + 1 */
            return RX_BAD_CRC;
        }
        out->payload = h + WIRE_HDR_SIZE;
        rx->start += total;
        rx->frames_ok++;
        return RX_FRAME;
    }
}

int rx_abandon(rx_t *rx)
{
    if (rx->start == rx->end)
        return 0;
    rx->in_garbage = 0;
    discard(rx, 1);
    return 1;
}

size_t frame_seal(uint8_t *dst, uint8_t type, uint8_t flags, uint32_t seq, uint32_t payload_len)
{
    dst[0] = WIRE_MAGIC0;
    dst[1] = WIRE_MAGIC1;
    dst[2] = WIRE_MAGIC2;
    dst[3] = WIRE_MAGIC3;
    dst[WIRE_OFF_VERSION] = WIRE_VERSION;
    dst[WIRE_OFF_TYPE] = type;
    dst[WIRE_OFF_FLAGS] = flags;
    dst[WIRE_OFF_RESERVED] = 0;
    put_u32(dst + WIRE_OFF_SEQ, seq);
    put_u32(dst + WIRE_OFF_LEN, payload_len);
    put_u32(dst + WIRE_OFF_HCRC, crc32_calc(dst, WIRE_OFF_HCRC));
    put_u32(dst + WIRE_HDR_SIZE + payload_len, crc32_calc(dst, WIRE_HDR_SIZE + (size_t)payload_len));
    return WIRE_OVERHEAD + (size_t)payload_len;
}

size_t frame_encode(uint8_t *dst, size_t cap, uint8_t type, uint8_t flags, uint32_t seq, const uint8_t *payload,
                    uint32_t payload_len)
{
    if (cap < WIRE_OVERHEAD || cap - WIRE_OVERHEAD < payload_len)
        return 0;
    if (payload_len)
        memmove(dst + WIRE_HDR_SIZE, payload, payload_len);
    return frame_seal(dst, type, flags, seq, payload_len);
}
