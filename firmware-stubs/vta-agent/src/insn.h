/* insn.h - checking and relocating a VTA instruction stream before it reaches the hardware.
 * Every DRAM address in a LOAD/STORE is an element offset relative to the arena start on the
 * wire; the agent checks the whole 2-D extent against the arena and adds arena_dev / elem_bytes. */
#ifndef VTA_AGENT_INSN_H
#define VTA_AGENT_INSN_H
#include <stddef.h>
#include <stdint.h>
#include "vtaconfig.h"

typedef struct {
    uint16_t code;  /* E_INSN_RANGE, E_INSN_MEMTYPE or E_INTERNAL */
    uint32_t index; /* offending instruction */
    char text[WIRE_ERR_TEXT_MAX + 1];
} insn_error_t;

/* Decoded fields of a 128-bit memory instruction (vta-isa.md 2.4). */
typedef struct {
    uint32_t opcode, memory_type, sram_base, dram_base;
    uint32_t y_size, x_size, x_stride;
} mem_insn_t;

void insn_decode_mem(const uint8_t insn[16], mem_insn_t *m);
/* Replace dram_base (bits 26..57) leaving every other bit untouched. */
void insn_set_dram_base(uint8_t insn[16], uint32_t dram_base);

/* Check + relocate one instruction in place (buffer in normal memory).
 * arena_bytes: arena size; arena_dev: device (bus) address of arena byte 0.
 * Returns 0 when accepted. */
int insn_check_relocate(const vta_config_t *cfg, uint8_t insn[16], uint32_t index, uint64_t arena_bytes,
                        uint64_t arena_dev, insn_error_t *err);

/* Copy count instructions from src (device memory, the arena) to dst (device memory, the
 * instruction buffer), checking and relocating each. Returns 0 or -1 with err filled. */
int insn_prepare(const vta_config_t *cfg, const volatile uint8_t *src, volatile uint8_t *dst, uint32_t count,
                 uint64_t arena_bytes, uint64_t arena_dev, insn_error_t *err);
#endif
