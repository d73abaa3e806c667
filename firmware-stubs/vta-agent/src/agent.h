/* agent.h - the protocol state machine: frames in, one response per request out. */
#ifndef VTA_AGENT_AGENT_H
#define VTA_AGENT_AGENT_H
#include <stddef.h>
#include <stdint.h>
#include "cli.h"
#include "driver.h"
#include "frame.h"
#include "physmem.h"
#include "vtaconfig.h"

typedef int (*agent_write_fn)(void *ctx, const uint8_t *buf, size_t len);

typedef struct {
    uint64_t frames_ok, crc_errors, resyncs, duplicates, runs, timeouts, refused, oversize, garbage_bytes,
        soft_resets, hard_resets, ignored;
} agent_counters_t;

/* What agent_init needs; agent_open derives it from the command line. */
typedef struct {
    vta_config_t cfg;
    const char *config_str, *board_id;
    const char *mem_path; /* for messages: the memory device behind the accelerator */
    target_t target;
    uint32_t max_payload;
    volatile uint8_t *arena;
    uint64_t arena_size, arena_bus;
    volatile uint8_t *insn_buf;
    uint32_t insn_capacity;
    uint64_t insn_bus;
    driver_t *drv; /* NULL: RUN answers E_INTERNAL after the checks (unit tests, fuzzing) */
    const char *bitstream_cmd;
    uint32_t bitstream_timeout_ms;
    int simulated_memory;
    agent_write_fn write;
    void *write_ctx;
} agent_params_t;

typedef struct {
    agent_params_t p;
    driver_t drv_storage;
    uint8_t caps;
    /* protocol buffers, allocated once in agent_init */
    rx_t rx;
    uint8_t *rxbuf, *tx, *cache;
    size_t frame_cap;
    size_t cache_len;
    int cache_valid;
    uint32_t cache_seq, cache_crc;
    uint8_t cache_type;
    uint8_t small[256];
    /* run state */
    int state;
    int last_status;
    uint16_t last_error;
    uint32_t last_seq, last_count;
    uint64_t last_elapsed_us, last_cycles;
    uint64_t start_us;
    agent_counters_t c;
    /* the one-agent lock: an open-file-description write lock on the memory device, held only while a request that
     * drives the accelerator or changes its memory (WRITE, RUN, RESET) is handled; -1 when there is none (unit tests) */
    int lock_fd;
    uint32_t lock_wait_ms;
    /* resources owned when opened from options */
    physmem_t pm;
    int pm_open;
    int dma_fd;
    void *dma_map;
    size_t dma_map_len;
} agent_t;

int agent_init(agent_t *a, const agent_params_t *p);
/* Map memory and registers as the options say; then agent_init. 0 or -1 with err. */
int agent_open(agent_t *a, const options_t *o, agent_write_fn write, void *write_ctx, char *err, size_t errlen);
void agent_close(agent_t *a);
/* Handle every complete frame buffered in a->rx. Returns -1 when writing failed. */
int agent_pump(agent_t *a);
/* Counters including the reader's. */
void agent_counters(const agent_t *a, agent_counters_t *out);
#endif
