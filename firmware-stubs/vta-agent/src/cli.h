/* cli.h - command-line options of vta-agent. */
#ifndef VTA_AGENT_CLI_H
#define VTA_AGENT_CLI_H
#include <stddef.h>
#include <stdint.h>
#include "driver.h"

#define AGENT_VERSION_MAJOR 1
#define AGENT_VERSION_MINOR 0
#define AGENT_VERSION_PATCH 0
#define AGENT_VERSION_STRING "1.0.0"

enum { TRANSPORT_NONE = 0, TRANSPORT_STDIO = 1, TRANSPORT_TTY = 2 };
enum { RESET_REG_DEFAULT = 0, RESET_REG_NONE = 1, RESET_REG_SET = 2 };

typedef struct {
    int transport;
    const char *tty_path;
    uint32_t baud;
    const char *board_id;
    const char *config;
    int target_set;
    target_t target;
    const char *mem_path;
    int create_mem;
    int dma_phys_set, dma_size_set;
    uint64_t dma_phys, dma_size;
    const char *udmabuf;
    uint32_t insn_capacity;
    int base_set[4]; /* fetch, load, compute, store */
    uint64_t base[4];
    int vcr_base_set;
    uint64_t vcr_base;
    int dev_offset_set;
    uint64_t dev_offset;
    int cycle_set;
    uint64_t cycle_addr;
    int reset_mode;
    uint64_t reset_reg;
    int reset_assert_set, reset_deassert_set;
    uint32_t reset_assert, reset_deassert;
    int unlock_set;
    uint64_t unlock_addr;
    uint32_t unlock_value;
    uint32_t reset_hold_ms;
    const char *bitstream_cmd;
    uint32_t bitstream_timeout_ms;
    uint32_t max_payload;
    uint32_t poll_us;
    uint32_t lock_wait_ms; /* how long agent_open waits for an earlier agent on the same accelerator */
    int log_level;
} options_t;

/* Returns 0 = run, 1 = --help/--version printed (exit 0), -1 = error in err (exit 2). */
int cli_parse(int argc, char **argv, options_t *o, char *err, size_t errlen);
void cli_usage(void);
#endif
