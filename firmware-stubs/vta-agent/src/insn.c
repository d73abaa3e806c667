/* insn.c - instruction stream checks and relocation. */
#include "insn.h"
#include <stdio.h>
#include <string.h>
#include "devmem.h"

static const char *const mem_names[8] = {"UOP", "WGT", "INP", "ACC", "OUT", "ACC_8BIT", "type6", "type7"};

void insn_decode_mem(const uint8_t insn[16], mem_insn_t *m)
{
    uint64_t w0 = get_u64(insn), w1 = get_u64(insn + 8);
    m->opcode = (uint32_t)(w0 & 7u);
    m->memory_type = (uint32_t)((w0 >> 7) & 7u);
    m->sram_base = (uint32_t)((w0 >> 10) & 0xFFFFu);
    m->dram_base = (uint32_t)((w0 >> 26) & 0xFFFFFFFFu);
    /* bits 58..63 are padding */
    m->y_size = (uint32_t)(w1 & 0xFFFFu);
    m->x_size = (uint32_t)((w1 >> 16) & 0xFFFFu);
    m->x_stride = (uint32_t)((w1 >> 32) & 0xFFFFu);
}

void insn_set_dram_base(uint8_t insn[16], uint32_t dram_base)
{
    uint64_t w0 = get_u64(insn);
    w0 &= ~((uint64_t)0xFFFFFFFFu << 26);
    w0 |= (uint64_t)dram_base << 26;
    put_u64(insn, w0);
}

int insn_check_relocate(const vta_config_t *cfg, uint8_t insn[16], uint32_t index, uint64_t arena_bytes,
                        uint64_t arena_dev, insn_error_t *err)
{
    mem_insn_t m;
    insn_decode_mem(insn, &m);
    if (m.opcode != VTA_OP_LOAD && m.opcode != VTA_OP_STORE)
        return 0;
    if (m.x_size == 0)
        return 0; /* synchronisation-only no-op: no DRAM access, left untouched */
    const char *op = m.opcode == VTA_OP_LOAD ? "LOAD" : "STORE";
    err->index = index;
    if (m.memory_type >= VTA_MEM_TYPES) {
        err->code = E_INSN_MEMTYPE;
        snprintf(err->text, sizeof(err->text), "insn %u: %s with unknown memory type %u (%s)", index, op,
                 m.memory_type, mem_names[m.memory_type]);
        return -1;
    }
    if (m.opcode == VTA_OP_STORE && m.memory_type != VTA_MEM_OUT) {
        /* the store module always writes OUT elements whatever the field says */
        err->code = E_INSN_MEMTYPE;
        snprintf(err->text, sizeof(err->text), "insn %u: STORE with memory type %s (only OUT can be stored)", index,
                 mem_names[m.memory_type]);
        return -1;
    }
    uint64_t eb = cfg->elem_bytes[m.memory_type];
    if (eb == 0 || arena_dev % eb != 0) {
        err->code = E_INTERNAL;
        snprintf(err->text, sizeof(err->text), "insn %u: arena bus address 0x%llx is not a multiple of the %s element size %llu",
                 index, (unsigned long long)arena_dev, mem_names[m.memory_type], (unsigned long long)eb);
        return -1;
    }
    /* Whole 2-D extent; y_size 0 is treated as 1 row because the HLS UOP load ignores y_size. */
    uint64_t rows = m.y_size ? m.y_size : 1u;
    uint64_t first = m.dram_base;
    uint64_t end = first + (rows - 1u) * (uint64_t)m.x_stride + m.x_size; /* exclusive, elements */
    uint64_t arena_elems = arena_bytes / eb;
    if (end > arena_elems) {
        err->code = E_INSN_RANGE;
        snprintf(err->text, sizeof(err->text),
                 "insn %u: %s %s DRAM extent [%llu, %llu) elements (y_size %u, x_size %u, x_stride %u) exceeds the arena (%llu elements of %llu B)",
                 index, op, mem_names[m.memory_type], (unsigned long long)first, (unsigned long long)end, m.y_size,
                 m.x_size, m.x_stride, (unsigned long long)arena_elems, (unsigned long long)eb);
        return -1;
    }
    uint64_t reloc = first + arena_dev / eb;
    if (reloc + (end - first) > 0x100000000ull) {
        err->code = E_INSN_RANGE;
        snprintf(err->text, sizeof(err->text), "insn %u: %s %s relocated extent exceeds the 32-bit dram_base field",
                 index, op, mem_names[m.memory_type]);
        return -1;
    }
    insn_set_dram_base(insn, (uint32_t)reloc);
    return 0;
}

int insn_prepare(const vta_config_t *cfg, const volatile uint8_t *src, volatile uint8_t *dst, uint32_t count,
                 uint64_t arena_bytes, uint64_t arena_dev, insn_error_t *err)
{
    uint8_t insn[VTA_INSN_BYTES];
    for (uint32_t i = 0; i < count; i++) {
        dev_read(insn, src + (size_t)i * VTA_INSN_BYTES, VTA_INSN_BYTES);
        if (insn_check_relocate(cfg, insn, i, arena_bytes, arena_dev, err) != 0)
            return -1;
        dev_write(dst + (size_t)i * VTA_INSN_BYTES, insn, VTA_INSN_BYTES);
    }
    return 0;
}
