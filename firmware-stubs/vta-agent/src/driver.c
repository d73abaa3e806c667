/* driver.c - VTA launch / completion / reset through memory-mapped registers. */
#include "driver.h"
#include "devmem.h"
#include "util.h"
#include "wire.h"

const char *target_name(target_t t)
{
    switch (t) {
    case TARGET_PYNQ: return "pynq";
    case TARGET_ULTRA96: return "ultra96";
    case TARGET_ZCU104: return "zcu104";
    case TARGET_DE10NANO: return "de10nano";
    }
    return "?";
}

/* Poll until (reg & mask) == want or the deadline passes; returns 1 when matched. */
static int wait_reg(const driver_t *d, volatile uint32_t *reg, uint32_t mask, uint32_t want, uint64_t deadline)
{
    for (;;) {
        if ((reg_read(reg) & mask) == want)
            return 1;
        if (mono_us() >= deadline)
            return (reg_read(reg) & mask) == want;
        sleep_us(d->poll_us);
    }
}

static void run_hls(driver_t *d, uint64_t deadline, run_result_t *res)
{
    /* start + auto-restart as in the reference driver; wait for fetch to accept the start
     * (ap_start reads back 0) and then for compute's done register to read 1 */
    reg_write(reg_at(d->fetch, HLS_CTRL), HLS_AP_START);
    reg_write(reg_at(d->load, HLS_CTRL), HLS_START_AUTORESTART);
    reg_write(reg_at(d->compute, HLS_CTRL), HLS_START_AUTORESTART);
    reg_write(reg_at(d->store, HLS_CTRL), HLS_START_AUTORESTART);
    int ok = wait_reg(d, reg_at(d->fetch, HLS_CTRL), HLS_AP_START, 0, deadline) &&
             wait_reg(d, reg_at(d->compute, HLS_COMPUTE_DONE_RD), 0xFFFFFFFFu, 1u, deadline);
    res->status = ok ? RUN_DONE : RUN_TIMEOUT;
    /* stop the auto-restarting modules (0 = auto-restart off) */
    reg_write(reg_at(d->load, HLS_CTRL), 0);
    reg_write(reg_at(d->compute, HLS_CTRL), 0);
    reg_write(reg_at(d->store, HLS_CTRL), 0);
}

void drv_run(driver_t *d, uint32_t insn_bus_addr, uint32_t insn_count, uint32_t timeout_ms, run_result_t *res)
{
    res->cycles = 0;
    if (d->target == TARGET_DE10NANO) {
        reg_write(reg_at(d->vcr, VCR_CYCLES), 0);
        reg_write(reg_at(d->vcr, VCR_INSN_COUNT), insn_count);
        reg_write(reg_at(d->vcr, VCR_INSN_ADDR), insn_bus_addr);
        for (uint32_t off = VCR_PTR_FIRST; off <= VCR_PTR_LAST; off += 4)
            reg_write(reg_at(d->vcr, off), 0);
    } else {
        reg_write(reg_at(d->fetch, HLS_FETCH_INSN_COUNT), insn_count);
        reg_write(reg_at(d->fetch, HLS_FETCH_INSN_ADDR), insn_bus_addr);
        reg_write(reg_at(d->load, HLS_LOAD_INP_ADDR), 0);
        reg_write(reg_at(d->load, HLS_LOAD_WGT_ADDR), 0);
        reg_write(reg_at(d->compute, HLS_COMPUTE_UOP_ADDR), 0);
        reg_write(reg_at(d->compute, HLS_COMPUTE_BIAS_ADDR), 0);
        reg_write(reg_at(d->store, HLS_STORE_OUT_ADDR), 0);
    }
    io_barrier(); /* instructions and data are in memory before the start write */
    uint64_t t0 = mono_us();
    uint64_t deadline = t0 + (uint64_t)timeout_ms * 1000u;
    if (d->target == TARGET_DE10NANO) {
        reg_write(reg_at(d->vcr, VCR_CTRL), VCR_LAUNCH);
        int ok = wait_reg(d, reg_at(d->vcr, VCR_CTRL), VCR_FINISH, VCR_FINISH, deadline);
        res->status = ok ? RUN_DONE : RUN_TIMEOUT;
    } else {
        run_hls(d, deadline, res);
    }
    res->elapsed_us = mono_us() - t0;
    io_barrier(); /* results are read after done was seen */
    if (res->status == RUN_DONE && d->cycles)
        res->cycles = reg_read(d->cycles);
}

int drv_soft_reset(driver_t *d)
{
    int pulsed = 0;
    if (d->reset_reg) {
        if (d->unlock_reg)
            reg_write(d->unlock_reg, d->unlock_value);
        reg_write(d->reset_reg, d->reset_assert);
        io_barrier();
        sleep_us(d->reset_hold_us);
        if (d->unlock_reg)
            reg_write(d->unlock_reg, d->unlock_value);
        reg_write(d->reset_reg, d->reset_deassert);
        io_barrier();
        sleep_us(1000); /* let the fabric come out of reset */
        pulsed = 1;
    }
    if (d->target != TARGET_DE10NANO) {
        reg_write(reg_at(d->load, HLS_CTRL), 0);
        reg_write(reg_at(d->compute, HLS_CTRL), 0);
        reg_write(reg_at(d->store, HLS_CTRL), 0);
    }
    return pulsed;
}
