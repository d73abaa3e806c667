/* test_frame.c - CRC, frame layout, reader resynchronisation. */
#include <stdlib.h>
#include <string.h>
#include "crc32.h"
#include "frame.h"
#include "helpers.h"
#include "t.h"

void test_crc_known_vectors(void)
{
    CHECK_EQ(crc32_calc("123456789", 9), 0xCBF43926u);
    CHECK_EQ(crc32_calc("", 0), 0u);
    CHECK_EQ(crc32_calc("a", 1), 0xE8B7BE43u);
    const char *s = "The quick brown fox jumps over the lazy dog";
    CHECK_EQ(crc32_calc(s, strlen(s)), 0x414FA339u);
    uint32_t c = crc32_update(0, s, 10);
    c = crc32_update(c, s + 10, strlen(s) - 10);
    CHECK_EQ(c, 0x414FA339u);
}

/* The worked example of docs/protocol.md, byte for byte (checked against zlib.crc32). */
static const uint8_t example_write[40] = {0xA7, 0x56, 0x54, 0x41, 0x01, 0x02, 0x00, 0x00, 0x2A, 0x00,
                                          0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x6E, 0xC5, 0x39, 0x53,
                                          0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
                                          0x00, 0x00, 0xDE, 0xAD, 0xBE, 0xEF, 0xD9, 0x32, 0xBC, 0x6F};
static const uint8_t example_write_ok[28] = {0xA7, 0x56, 0x54, 0x41, 0x01, 0x02, 0x01, 0x00, 0x2A, 0x00,
                                             0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x98, 0x6E, 0x80, 0x63,
                                             0x00, 0x00, 0x00, 0x00, 0x69, 0xDF, 0x22, 0x65};
static const uint8_t example_status[24] = {0xA7, 0x56, 0x54, 0x41, 0x01, 0x06, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                                           0x00, 0x00, 0x00, 0x00, 0x73, 0x9F, 0xE5, 0x17, 0x1C, 0xDF, 0x44, 0x21};

void test_frame_layout_worked_example(void)
{
    uint8_t buf[64], pl[16];
    const uint8_t data[4] = {0xDE, 0xAD, 0xBE, 0xEF};
    uint32_t n = pl_write(pl, 0x100, data, 4);
    size_t len = frame_encode(buf, sizeof(buf), MSG_WRITE, 0, 0x2A, pl, n);
    CHECK_EQ(len, sizeof(example_write));
    CHECK(memcmp(buf, example_write, sizeof(example_write)) == 0);
    len = frame_encode(buf, sizeof(buf), MSG_STATUS, 0, 1, NULL, 0);
    CHECK_EQ(len, 24);
    CHECK(memcmp(buf, example_status, 24) == 0);
    CHECK_EQ(get_u32(buf), WIRE_MAGIC_U32);
    /* the agent's answer to the example is exactly example_write_ok */
    tagent_t *t = tagent_plain(0x10000, 0x10000000, 16, 4096);
    CHECK_EQ(tagent_feed(t, example_write, sizeof(example_write)), 1);
    CHECK_EQ(t->cap.len, sizeof(example_write_ok));
    CHECK(memcmp(t->cap.buf, example_write_ok, sizeof(example_write_ok)) == 0);
    CHECK(memcmp(t->arena_mem + 0x100, data, 4) == 0);
    tagent_free(t);
}

static uint8_t rxmem[4096 + WIRE_OVERHEAD + 65536];

void test_frame_roundtrip_sizes(void)
{
    static uint8_t buf[4096 + WIRE_OVERHEAD], pl[4096];
    const uint32_t sizes[] = {0, 1, 2, 3, 4, 17, 1000, 4095, 4096};
    rx_t rx;
    rx_init(&rx, rxmem, sizeof(rxmem), 4096);
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        for (uint32_t i = 0; i < sizes[k]; i++)
            pl[i] = (uint8_t)(i * 7 + k);
        size_t n = frame_encode(buf, sizeof(buf), (uint8_t)(k + 1), (uint8_t)(k & 1), 0xFFFFFFF0u + (uint32_t)k, pl,
                                sizes[k]);
        CHECK_EQ(n, sizes[k] + WIRE_OVERHEAD);
        CHECK_EQ(rx_push(&rx, buf, n), n);
        frame_t f;
        REQUIRE(rx_poll(&rx, &f) == RX_FRAME);
        CHECK_EQ(f.version, WIRE_VERSION);
        CHECK_EQ(f.type, k + 1);
        CHECK_EQ(f.flags, k & 1);
        CHECK_EQ(f.seq, 0xFFFFFFF0u + (uint32_t)k);
        CHECK_EQ(f.payload_len, sizes[k]);
        CHECK(sizes[k] == 0 || memcmp(f.payload, pl, sizes[k]) == 0);
        CHECK(rx_poll(&rx, &f) == RX_NEED_MORE);
    }
    CHECK_EQ(rx.frames_ok, 9);
    CHECK_EQ(rx.crc_errors, 0);
    CHECK_EQ(rx.resyncs, 0);
    CHECK(frame_encode(buf, 30, 1, 0, 0, pl, 7) == 0); /* too small a buffer */
}

void test_frame_byte_by_byte(void)
{
    rx_t rx;
    rx_init(&rx, rxmem, sizeof(rxmem), 4096);
    frame_t f;
    int frames = 0;
    for (int rep = 0; rep < 3; rep++)
        for (size_t i = 0; i < sizeof(example_write); i++) {
            rx_push(&rx, example_write + i, 1);
            rx_event_t ev = rx_poll(&rx, &f);
            if (i + 1 < sizeof(example_write))
                CHECK(ev == RX_NEED_MORE);
            else if (ev == RX_FRAME)
                frames++;
        }
    CHECK_EQ(frames, 3);
    CHECK_EQ(rx.garbage_bytes, 0);
}

void test_frame_resync_after_garbage(void)
{
    rx_t rx;
    rx_init(&rx, rxmem, sizeof(rxmem), 4096);
    uint8_t stream[2000];
    size_t n = 0;
    /* plain garbage, a lone magic with a nonsense header, a partial magic, then a frame */
    for (int i = 0; i < 300; i++)
        stream[n++] = (uint8_t)(i * 31 + 5);
    memcpy(stream + n, "\xA7VTA\x01\x02\x00\x00garbage-garbage!", 24);
    n += 24;
    memcpy(stream + n, "\xA7VT", 3);
    n += 3;
    memcpy(stream + n, example_write, sizeof(example_write));
    n += sizeof(example_write);
    /* garbage between two frames */
    memcpy(stream + n, "\x00\xFF\xA7\x56", 4);
    n += 4;
    memcpy(stream + n, example_status, sizeof(example_status));
    n += sizeof(example_status);
    frame_t f;
    int frames = 0;
    /* deliver in odd chunk sizes */
    size_t off = 0, chunk = 1;
    while (off < n) {
        size_t k = chunk < n - off ? chunk : n - off;
        rx_push(&rx, stream + off, k);
        off += k;
        chunk = chunk * 3 % 37 + 1;
        rx_event_t ev;
        while ((ev = rx_poll(&rx, &f)) != RX_NEED_MORE) {
            if (ev == RX_FRAME) {
                frames++;
                CHECK(f.type == MSG_WRITE || f.type == MSG_STATUS);
            }
        }
    }
    CHECK_EQ(frames, 2);
    CHECK_EQ(rx.frames_ok, 2);
    CHECK(rx.resyncs >= 2);
    CHECK_EQ(rx.garbage_bytes, 300 + 24 + 3 + 4);
    CHECK_EQ(rx.crc_errors, 1); /* the lone magic's header */
}

void test_frame_every_bit_flip_detected(void)
{
    /* flip every bit of a frame in turn; follow it with a good frame: the damaged copy is never
     * accepted, the good one always is */
    rx_t rx;
    rx_init(&rx, rxmem, sizeof(rxmem), 4096);
    uint8_t bad[sizeof(example_write)];
    uint64_t accepted_bad = 0, accepted_good = 0;
    for (size_t bit = 0; bit < sizeof(example_write) * 8; bit++) {
        memcpy(bad, example_write, sizeof(bad));
        bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        rx_push(&rx, bad, sizeof(bad));
        rx_push(&rx, example_status, sizeof(example_status));
        frame_t f;
        rx_event_t ev;
        while ((ev = rx_poll(&rx, &f)) != RX_NEED_MORE) {
            if (ev == RX_FRAME && f.type == MSG_WRITE)
                accepted_bad++;
            if (ev == RX_FRAME && f.type == MSG_STATUS)
                accepted_good++;
        }
        /* a flipped length can leave the reader waiting for bytes that never come; a retry (the
         * next good frame) must still get through, possibly one frame later */
        rx_push(&rx, example_status, sizeof(example_status));
        while ((ev = rx_poll(&rx, &f)) != RX_NEED_MORE)
            if (ev == RX_FRAME && f.type == MSG_STATUS)
                accepted_good++;
    }
    CHECK_EQ(accepted_bad, 0);
    CHECK(accepted_good >= sizeof(example_write) * 8);
    CHECK(rx.crc_errors >= sizeof(example_write) * 8 - 32); /* flips inside the magic are garbage, not CRC errors */
    CHECK(rx.resyncs >= sizeof(example_write) * 8);
}

void test_frame_dropped_byte_then_retry(void)
{
    /* a frame loses one payload byte on the line; the host's retry must be recognised */
    rx_t rx;
    rx_init(&rx, rxmem, sizeof(rxmem), 4096);
    uint8_t lossy[sizeof(example_write) - 1];
    memcpy(lossy, example_write, 30);
    memcpy(lossy + 30, example_write + 31, sizeof(example_write) - 31);
    rx_push(&rx, lossy, sizeof(lossy));
    frame_t f;
    CHECK(rx_poll(&rx, &f) == RX_NEED_MORE); /* waits for one more byte */
    rx_push(&rx, example_write, sizeof(example_write)); /* retry */
    rx_event_t ev;
    int good = 0, nak = 0;
    while ((ev = rx_poll(&rx, &f)) != RX_NEED_MORE) {
        if (ev == RX_BAD_CRC) {
            nak++;
            CHECK_EQ(f.seq, 0x2A);
        }
        if (ev == RX_FRAME) {
            good++;
            CHECK_EQ(f.seq, 0x2A);
        }
    }
    CHECK_EQ(nak, 1);
    CHECK_EQ(good, 1);
}

void test_frame_oversize_rejected(void)
{
    rx_t rx;
    rx_init(&rx, rxmem, sizeof(rxmem), 4096);
    static uint8_t big[5000 + WIRE_OVERHEAD];
    static uint8_t pl[5000];
    memset(pl, 0x11, sizeof(pl));
    size_t n = frame_encode(big, sizeof(big), MSG_WRITE, 0, 77, pl, 4097);
    rx_push(&rx, big, n);
    frame_t f;
    CHECK(rx_poll(&rx, &f) == RX_OVERSIZE);
    CHECK_EQ(f.seq, 77);
    CHECK_EQ(f.payload_len, 4097);
    rx_push(&rx, example_status, sizeof(example_status));
    rx_event_t ev;
    int good = 0;
    while ((ev = rx_poll(&rx, &f)) != RX_NEED_MORE)
        good += ev == RX_FRAME;
    CHECK_EQ(good, 1);
    CHECK_EQ(rx.oversize, 1);
    /* exactly the maximum is fine */
    n = frame_encode(big, sizeof(big), MSG_WRITE, 0, 78, pl, 4096);
    rx_push(&rx, big, n);
    CHECK(rx_poll(&rx, &f) == RX_FRAME);
    CHECK_EQ(f.payload_len, 4096);
}
