/* driver.h - launching VTA and waiting for it, soft reset. Register maps per target:
 * Xilinx HLS (pynq, ultra96, zcu104: four AXI-Lite blocks) and Chisel VCR (de10nano). */
#ifndef VTA_AGENT_DRIVER_H
#define VTA_AGENT_DRIVER_H
#include <stdint.h>

typedef enum { TARGET_PYNQ = 0, TARGET_ULTRA96 = 1, TARGET_ZCU104 = 2, TARGET_DE10NANO = 3 } target_t;

/* HLS register offsets (vta-isa.md 4.1) */
#define HLS_CTRL 0x00u
#define HLS_FETCH_INSN_COUNT 0x10u
#define HLS_FETCH_INSN_ADDR 0x18u
#define HLS_LOAD_INP_ADDR 0x10u
#define HLS_LOAD_WGT_ADDR 0x18u
#define HLS_COMPUTE_DONE_RD 0x18u
#define HLS_COMPUTE_UOP_ADDR 0x20u
#define HLS_COMPUTE_BIAS_ADDR 0x28u
#define HLS_STORE_OUT_ADDR 0x10u
#define HLS_AP_START 0x1u
#define HLS_AP_DONE 0x2u
#define HLS_START_AUTORESTART 0x81u

/* Chisel VCR register offsets (vta-isa.md 4.2) */
#define VCR_CTRL 0x00u
#define VCR_CYCLES 0x04u
#define VCR_INSN_COUNT 0x08u
#define VCR_INSN_ADDR 0x0cu
#define VCR_PTR_FIRST 0x10u
#define VCR_PTR_LAST 0x20u
#define VCR_LAUNCH 0x1u
#define VCR_FINISH 0x2u

typedef struct {
    target_t target;
    volatile uint32_t *fetch, *load, *compute, *store; /* HLS block bases */
    volatile uint32_t *vcr;                            /* VCR block base */
    volatile uint32_t *cycles;                         /* optional cycle counter register */
    volatile uint32_t *reset_reg, *unlock_reg;         /* optional */
    uint32_t reset_assert, reset_deassert, unlock_value;
    uint32_t reset_hold_us;
    uint32_t poll_us;
} driver_t;

typedef struct {
    int status; /* RUN_DONE or RUN_TIMEOUT */
    uint64_t elapsed_us;
    uint64_t cycles;
} run_result_t;

static inline volatile uint32_t *reg_at(volatile uint32_t *base, uint32_t off)
{
    return (volatile uint32_t *)(void *)((volatile uint8_t *)base + off);
}

void drv_run(driver_t *d, uint32_t insn_bus_addr, uint32_t insn_count, uint32_t timeout_ms, run_result_t *res);
/* Pulse the programmable-logic reset; returns 1 when a reset register is configured. */
int drv_soft_reset(driver_t *d);
const char *target_name(target_t t);
#endif
