/* fake_device.h - a thread that plays VTA's register protocol on the shared memory file:
 * accepts a start, clears done, "executes" the instruction stream (LOAD INP sums the bytes it
 * would fetch, STORE OUT fills its DRAM extent with a pattern) and raises done after delay_us,
 * or never (hang). It clears itself when the reset register reads the assert value. */
#ifndef VTA_AGENT_FAKE_DEVICE_H
#define VTA_AGENT_FAKE_DEVICE_H
#include <pthread.h>
#include <stdint.h>

#define FAKE_MAX_MAPS 12

typedef struct {
    /* configuration */
    const char *mem_path;
    int vcr;            /* 0: Xilinx HLS register map, 1: Chisel VCR (de10nano) */
    uint64_t base[4];   /* HLS fetch, load, compute, store */
    uint64_t vcr_base;
    int has_cycle;
    uint64_t cycle_addr;
    int has_reset;
    uint64_t reset_addr;
    uint32_t reset_assert;
    uint64_t dev_offset; /* bus address = physical + dev_offset */
    uint64_t dma_phys, dma_size;
    uint32_t delay_us;
    volatile int hang;
    uint8_t store_pattern;
    /* observations */
    volatile int starts, finishes, resets_seen, errors;
    volatile uint32_t last_count;
    volatile uint64_t last_insn_bus;
    volatile uint32_t ptr_regs_nonzero; /* data-pointer registers seen non-zero at start */
    volatile uint32_t ctrl_at_finish[3]; /* load/compute/store control seen when finishing (HLS) */
    volatile uint64_t load_sum;          /* sum of bytes every LOAD INP/WGT would read */
    char errmsg[256];
    /* internal */
    pthread_t th;
    volatile int stop;
    int fd;
    struct {
        uint64_t base;
        size_t len;
        uint8_t *p;
    } maps[FAKE_MAX_MAPS];
    int nmaps;
    uint8_t *dma;
} fake_dev_t;

int fake_start(fake_dev_t *d);
void fake_stop(fake_dev_t *d);
#endif
