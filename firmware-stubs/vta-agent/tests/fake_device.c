/* fake_device.c - see fake_device.h. */
#include "fake_device.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "driver.h"
#include "util.h"
#include "wire.h"

static uint8_t *map_phys(fake_dev_t *d, uint64_t phys, size_t len)
{
    uint64_t base = phys & ~(uint64_t)4095u;
    for (int i = 0; i < d->nmaps; i++)
        if (phys >= d->maps[i].base && phys + len <= d->maps[i].base + d->maps[i].len)
            return d->maps[i].p + (phys - d->maps[i].base);
    size_t mlen = (size_t)(((phys + len - base) + 4095u) & ~(uint64_t)4095u);
    void *p = mmap(NULL, mlen, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, (off_t)base);
    if (p == MAP_FAILED || d->nmaps >= FAKE_MAX_MAPS)
        return NULL;
    d->maps[d->nmaps].base = base;
    d->maps[d->nmaps].len = mlen;
    d->maps[d->nmaps].p = p;
    d->nmaps++;
    return (uint8_t *)p + (phys - base);
}

static uint32_t rd(uint8_t *p) { return __atomic_load_n((uint32_t *)(void *)p, __ATOMIC_ACQUIRE); }
static void wr(uint8_t *p, uint32_t v) { __atomic_store_n((uint32_t *)(void *)p, v, __ATOMIC_RELEASE); }

static void fail(fake_dev_t *d, const char *msg, uint64_t a)
{
    if (!d->errors)
        snprintf(d->errmsg, sizeof(d->errmsg), "%s (0x%llx)", msg, (unsigned long long)a);
    d->errors++;
}

/* bus address range -> pointer into the DMA mapping, or NULL (an out-of-arena access) */
static uint8_t *bus_ptr(fake_dev_t *d, uint64_t bus, uint64_t len)
{
    if (bus < d->dev_offset)
        return NULL;
    uint64_t phys = bus - d->dev_offset;
    if (phys < d->dma_phys || phys + len > d->dma_phys + d->dma_size)
        return NULL;
    return d->dma + (phys - d->dma_phys);
}

static void execute(fake_dev_t *d, uint32_t count, uint64_t insn_bus)
{
    uint8_t *ins = bus_ptr(d, insn_bus, (uint64_t)count * 16u);
    if (!ins) {
        fail(d, "instruction fetch outside the DMA region", insn_bus);
        return;
    }
    static const uint32_t elem[5] = {4, 256, 16, 64, 16}; /* default configuration */
    for (uint32_t i = 0; i < count; i++) {
        uint64_t w0 = get_u64(ins + 16u * i), w1 = get_u64(ins + 16u * i + 8);
        uint32_t op = (uint32_t)(w0 & 7u), mt = (uint32_t)((w0 >> 7) & 7u);
        uint64_t dram = (w0 >> 26) & 0xFFFFFFFFu;
        uint32_t y = (uint32_t)(w1 & 0xFFFFu), x = (uint32_t)((w1 >> 16) & 0xFFFFu),
                 stride = (uint32_t)((w1 >> 32) & 0xFFFFu);
        if ((op != VTA_OP_LOAD && op != VTA_OP_STORE) || x == 0 || mt > 4)
            continue;
        uint64_t eb = elem[mt];
        uint32_t rows = y ? y : 1;
        for (uint32_t r = 0; r < rows; r++) {
            uint8_t *p = bus_ptr(d, (dram + (uint64_t)r * stride) * eb, (uint64_t)x * eb);
            if (!p) {
                fail(d, "DMA outside the DMA region at bus", (dram + (uint64_t)r * stride) * eb);
                return;
            }
            if (op == VTA_OP_STORE)
                memset(p, d->store_pattern, (size_t)(x * eb));
            else if (mt == VTA_MEM_INP || mt == VTA_MEM_WGT)
                for (uint64_t k = 0; k < x * eb; k++)
                    d->load_sum += p[k];
        }
    }
}

static void *thread_main(void *arg)
{
    fake_dev_t *d = (fake_dev_t *)arg;
    uint8_t *fetch = NULL, *load = NULL, *compute = NULL, *store = NULL, *vcr = NULL, *cyc = NULL, *rst = NULL;
    if (d->vcr) {
        vcr = map_phys(d, d->vcr_base, 0x1000);
    } else {
        fetch = map_phys(d, d->base[0], 0x1000);
        load = map_phys(d, d->base[1], 0x1000);
        compute = map_phys(d, d->base[2], 0x1000);
        store = map_phys(d, d->base[3], 0x1000);
    }
    if (d->has_cycle)
        cyc = map_phys(d, d->cycle_addr, 4);
    if (d->has_reset)
        rst = map_phys(d, d->reset_addr, 4);
    if ((d->vcr && !vcr) || (!d->vcr && !(fetch && load && compute && store)) || (d->has_cycle && !cyc) ||
        (d->has_reset && !rst)) {
        fail(d, "fake device: mapping failed", 0);
        return NULL;
    }
    int busy = 0, rst_prev = 0;
    uint64_t finish_at = 0;
    while (!d->stop) {
        if (rst) {
            int asserted = rd(rst) == d->reset_assert;
            if (asserted && !rst_prev) {
                d->resets_seen++;
                busy = 0;
                if (d->vcr)
                    wr(vcr + VCR_CTRL, 0);
                else {
                    wr(fetch + HLS_CTRL, 0);
                    wr(compute + HLS_COMPUTE_DONE_RD, 0);
                }
            }
            rst_prev = asserted;
        }
        if (!busy) {
            uint32_t ctrl = rd(d->vcr ? vcr + VCR_CTRL : fetch + HLS_CTRL);
            if (ctrl & 1u) {
                busy = 1;
                d->starts++;
                uint32_t ptr = 0;
                if (d->vcr) {
                    d->last_count = rd(vcr + VCR_INSN_COUNT);
                    d->last_insn_bus = rd(vcr + VCR_INSN_ADDR);
                    for (uint32_t o = VCR_PTR_FIRST; o <= VCR_PTR_LAST; o += 4)
                        ptr |= rd(vcr + o);
                    wr(vcr + VCR_CTRL, 0); /* launch consumed */
                } else {
                    d->last_count = rd(fetch + HLS_FETCH_INSN_COUNT);
                    d->last_insn_bus = rd(fetch + HLS_FETCH_INSN_ADDR);
                    ptr = rd(load + HLS_LOAD_INP_ADDR) | rd(load + HLS_LOAD_WGT_ADDR) |
                          rd(compute + HLS_COMPUTE_UOP_ADDR) | rd(compute + HLS_COMPUTE_BIAS_ADDR) |
                          rd(store + HLS_STORE_OUT_ADDR);
                    wr(compute + HLS_COMPUTE_DONE_RD, 0); /* done clears when compute starts */
                    wr(fetch + HLS_CTRL, 0);               /* ap_start handshake: accepted */
                }
                d->ptr_regs_nonzero |= ptr;
                execute(d, d->last_count, d->last_insn_bus);
                finish_at = mono_us() + d->delay_us;
            }
        } else if (!d->hang && mono_us() >= finish_at) {
            busy = 0;
            d->finishes++;
            if (cyc)
                wr(cyc, 1000u + d->last_count);
            if (d->vcr) {
                wr(vcr + VCR_CTRL, VCR_FINISH);
            } else {
                d->ctrl_at_finish[0] = rd(load + HLS_CTRL);
                d->ctrl_at_finish[1] = rd(compute + HLS_CTRL);
                d->ctrl_at_finish[2] = rd(store + HLS_CTRL);
                wr(compute + HLS_COMPUTE_DONE_RD, 1);
            }
        }
        struct timespec ts = {0, 20000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

int fake_start(fake_dev_t *d)
{
    d->fd = open(d->mem_path, O_RDWR);
    if (d->fd < 0)
        return -1;
    d->dma = map_phys(d, d->dma_phys, (size_t)d->dma_size);
    if (!d->dma)
        return -1;
    d->stop = 0;
    return pthread_create(&d->th, NULL, thread_main, d) == 0 ? 0 : -1;
}

void fake_stop(fake_dev_t *d)
{
    d->stop = 1;
    pthread_join(d->th, NULL);
    for (int i = 0; i < d->nmaps; i++)
        munmap(d->maps[i].p, d->maps[i].len);
    d->nmaps = 0;
    close(d->fd);
}
