/* frame.h - frame encoding and the resynchronising frame reader. No allocation. */
#ifndef VTA_AGENT_FRAME_H
#define VTA_AGENT_FRAME_H
#include <stddef.h>
#include <stdint.h>
#include "wire.h"

typedef struct {
    uint8_t version, type, flags, reserved;
    uint32_t seq;
    uint32_t payload_len;
    const uint8_t *payload; /* only for RX_FRAME; valid until the next rx_space/rx_push */
    uint32_t crc;           /* frame CRC as received (RX_FRAME, RX_BAD_CRC) */
} frame_t;

typedef enum {
    RX_NEED_MORE = 0, /* no complete frame buffered */
    RX_FRAME,         /* a frame with valid header CRC and frame CRC */
    RX_BAD_CRC,       /* valid header, payload CRC wrong: header fields filled, payload NULL */
    RX_OVERSIZE       /* valid header, payload_len > max_payload: header fields filled */
} rx_event_t;

typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t start, end; /* unparsed bytes are buf[start..end) */
    size_t need;       /* bytes the frame at start needs in total (0 = unknown) */
    uint32_t max_payload;
    int in_garbage;
    uint64_t frames_ok, crc_errors, resyncs, garbage_bytes, oversize;
} rx_t;

/* Capacity needed for a reader buffer that accepts payloads up to max_payload. */
static inline size_t rx_buffer_size(uint32_t max_payload) { return (size_t)max_payload + WIRE_OVERHEAD + 65536u; }

void rx_init(rx_t *rx, uint8_t *buf, size_t cap, uint32_t max_payload);
/* Free space to read into (compacts the buffer when needed); never returns 0 bytes. */
uint8_t *rx_space(rx_t *rx, size_t *len);
void rx_commit(rx_t *rx, size_t n);
/* Copy bytes in (tests, fuzzing); returns the number accepted (may be < n when full). */
size_t rx_push(rx_t *rx, const uint8_t *data, size_t n);
rx_event_t rx_poll(rx_t *rx, frame_t *out);
/* Gives up the start of a frame whose rest never came (the line fell quiet mid-frame: its sender died or the line was
 * cut): drops its first byte, so that the next rx_poll rescans what followed for frames. 1 when bytes were pending. */
int rx_abandon(rx_t *rx);

/* Write header and trailer around a payload that is already at dst + WIRE_HDR_SIZE.
 * Returns the total frame size. */
size_t frame_seal(uint8_t *dst, uint8_t type, uint8_t flags, uint32_t seq, uint32_t payload_len);
/* Copy payload in and seal; returns total size or 0 when cap is too small. */
size_t frame_encode(uint8_t *dst, size_t cap, uint8_t type, uint8_t flags, uint32_t seq, const uint8_t *payload,
                    uint32_t payload_len);
#endif
