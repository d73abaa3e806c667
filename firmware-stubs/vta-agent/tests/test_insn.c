/* test_insn.c - instruction checks and relocation. */
#include <string.h>
#include "helpers.h"
#include "insn.h"
#include "t.h"

static vta_config_t cfg(void)
{
    vta_config_t c;
    char err[128];
    vta_config_parse("1x16_i8w8a32_15_15_18_17", &c, err, sizeof(err));
    return c;
}

#define ARENA_BUS 0x18000000ull /* page aligned, multiple of every element size */
#define ARENA_SIZE (1u << 20)

void test_insn_relocates_each_memory_type(void)
{
    vta_config_t c = cfg();
    static const struct {
        uint32_t op, mt, elem;
    } cases[] = {{VTA_OP_LOAD, VTA_MEM_UOP, 4},   {VTA_OP_LOAD, VTA_MEM_WGT, 256}, {VTA_OP_LOAD, VTA_MEM_INP, 16},
                 {VTA_OP_LOAD, VTA_MEM_ACC, 64},  {VTA_OP_LOAD, VTA_MEM_OUT, 16},  {VTA_OP_STORE, VTA_MEM_OUT, 16}};
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        uint8_t insn[16], orig[16];
        enc_mem(insn, cases[k].op, cases[k].mt, 0x1234, 7, 3, 5, 9);
        /* set the 6 padding bits 58..63 and a dependency flag to see they survive */
        insn[7] |= 0xFC;
        insn[0] |= 0x08;
        memcpy(orig, insn, 16);
        insn_error_t e;
        REQUIRE(insn_check_relocate(&c, insn, 0, ARENA_SIZE, ARENA_BUS, &e) == 0);
        mem_insn_t m, m0;
        insn_decode_mem(insn, &m);
        insn_decode_mem(orig, &m0);
        CHECK_EQ(m.dram_base, 7 + ARENA_BUS / cases[k].elem);
        CHECK_EQ(m.opcode, m0.opcode);
        CHECK_EQ(m.memory_type, m0.memory_type);
        CHECK_EQ(m.sram_base, 0x1234);
        CHECK_EQ(m.y_size, 3);
        CHECK_EQ(m.x_size, 5);
        CHECK_EQ(m.x_stride, 9);
        CHECK_EQ(insn[7] & 0xFC, 0xFC);
        CHECK_EQ(insn[0] & 0x08, 0x08);
        CHECK(memcmp(insn + 8, orig + 8, 8) == 0);
    }
}

void test_insn_leaves_other_instructions_alone(void)
{
    vta_config_t c = cfg();
    uint8_t insn[16], orig[16];
    insn_error_t e;
    /* x_size == 0 no-ops, even with absurd addresses and memory types */
    enc_mem(insn, VTA_OP_LOAD, 7, 0, 0xFFFFFFFFu, 100, 0, 100);
    memcpy(orig, insn, 16);
    CHECK(insn_check_relocate(&c, insn, 0, ARENA_SIZE, ARENA_BUS, &e) == 0);
    CHECK(memcmp(insn, orig, 16) == 0);
    enc_mem(insn, VTA_OP_STORE, VTA_MEM_UOP, 0, 0, 0, 0, 0);
    memcpy(orig, insn, 16);
    CHECK(insn_check_relocate(&c, insn, 0, ARENA_SIZE, ARENA_BUS, &e) == 0);
    CHECK(memcmp(insn, orig, 16) == 0);
    enc_gemm(insn, 0, 16, 4, 8);
    insn[7] = 0xFF; /* GEMM bits 26..57 are uop_end/iter fields, not an address */
    memcpy(orig, insn, 16);
    CHECK(insn_check_relocate(&c, insn, 0, ARENA_SIZE, ARENA_BUS, &e) == 0);
    CHECK(memcmp(insn, orig, 16) == 0);
    enc_finish(insn);
    memcpy(orig, insn, 16);
    CHECK(insn_check_relocate(&c, insn, 0, ARENA_SIZE, ARENA_BUS, &e) == 0);
    CHECK(memcmp(insn, orig, 16) == 0);
    put_u64(insn, 4 | (0xFFFFFFFFull << 26)); /* ALU */
    memcpy(orig, insn, 16);
    CHECK(insn_check_relocate(&c, insn, 0, ARENA_SIZE, ARENA_BUS, &e) == 0);
    CHECK(memcmp(insn, orig, 16) == 0);
}

void test_insn_refuses_out_of_arena(void)
{
    vta_config_t c = cfg();
    uint8_t insn[16];
    insn_error_t e;
    const uint32_t inp_elems = ARENA_SIZE / 16; /* 65536 */
    /* last element exactly at the end: accepted */
    enc_mem(insn, VTA_OP_LOAD, VTA_MEM_INP, 0, inp_elems - 10, 1, 10, 10);
    CHECK(insn_check_relocate(&c, insn, 3, ARENA_SIZE, ARENA_BUS, &e) == 0);
    /* one element over: refused, naming the instruction */
    enc_mem(insn, VTA_OP_LOAD, VTA_MEM_INP, 0, inp_elems - 10, 1, 11, 11);
    CHECK(insn_check_relocate(&c, insn, 3, ARENA_SIZE, ARENA_BUS, &e) != 0);
    CHECK_EQ(e.code, E_INSN_RANGE);
    CHECK_EQ(e.index, 3);
    CHECK(strstr(e.text, "insn 3") != NULL);
    CHECK(strstr(e.text, "INP") != NULL);
    /* 2-D: rows times stride reach past the end although the first row fits */
    enc_mem(insn, VTA_OP_LOAD, VTA_MEM_WGT, 0, 0, 5, 16, 1021); /* 4*1021+16 > 4096 wgt elements */
    CHECK(insn_check_relocate(&c, insn, 9, ARENA_SIZE, ARENA_BUS, &e) != 0);
    CHECK_EQ(e.code, E_INSN_RANGE);
    CHECK_EQ(e.index, 9);
    enc_mem(insn, VTA_OP_LOAD, VTA_MEM_WGT, 0, 0, 5, 16, 1020); /* 4*1020+16 = 4096: fits */
    CHECK(insn_check_relocate(&c, insn, 9, ARENA_SIZE, ARENA_BUS, &e) == 0);
    /* STORE OUT past the end */
    enc_mem(insn, VTA_OP_STORE, VTA_MEM_OUT, 0, 0xFFFFFFFFu, 1, 1, 1);
    CHECK(insn_check_relocate(&c, insn, 1, ARENA_SIZE, ARENA_BUS, &e) != 0);
    CHECK_EQ(e.code, E_INSN_RANGE);
    /* y_size 0 with x_size != 0 still counts one row (HLS UOP loads ignore y_size) */
    enc_mem(insn, VTA_OP_LOAD, VTA_MEM_UOP, 0, ARENA_SIZE / 4 - 1, 0, 2, 0);
    CHECK(insn_check_relocate(&c, insn, 2, ARENA_SIZE, ARENA_BUS, &e) != 0);
    /* largest extents cannot wrap 64-bit arithmetic */
    enc_mem(insn, VTA_OP_LOAD, VTA_MEM_ACC, 0, 0xFFFFFFFFu, 0xFFFF, 0xFFFF, 0xFFFF);
    CHECK(insn_check_relocate(&c, insn, 2, ARENA_SIZE, ARENA_BUS, &e) != 0);
    /* an arena that ends exactly at 4 GiB relocates to the top of the 32-bit bus */
    enc_mem(insn, VTA_OP_LOAD, VTA_MEM_UOP, 0, 0, 1, 4, 4);
    CHECK(insn_check_relocate(&c, insn, 0, 4096, 0xFFFFF000ull, &e) == 0);
    mem_insn_t m;
    insn_decode_mem(insn, &m);
    CHECK_EQ(m.dram_base, 0xFFFFF000u / 4);
}

void test_insn_refuses_bad_memory_types(void)
{
    vta_config_t c = cfg();
    uint8_t insn[16];
    insn_error_t e;
    for (uint32_t mt = 5; mt < 8; mt++) {
        enc_mem(insn, VTA_OP_LOAD, mt, 0, 0, 1, 1, 1);
        CHECK(insn_check_relocate(&c, insn, 4, ARENA_SIZE, ARENA_BUS, &e) != 0);
        CHECK_EQ(e.code, E_INSN_MEMTYPE);
        CHECK_EQ(e.index, 4);
    }
    for (uint32_t mt = 0; mt < 8; mt++) {
        if (mt == VTA_MEM_OUT)
            continue;
        enc_mem(insn, VTA_OP_STORE, mt, 0, 0, 1, 1, 1);
        CHECK(insn_check_relocate(&c, insn, 6, ARENA_SIZE, ARENA_BUS, &e) != 0);
        CHECK_EQ(e.code, E_INSN_MEMTYPE);
        CHECK(strstr(e.text, "STORE") != NULL);
    }
    /* misaligned arena: refused rather than relocated wrongly */
    enc_mem(insn, VTA_OP_LOAD, VTA_MEM_WGT, 0, 0, 1, 1, 1);
    CHECK(insn_check_relocate(&c, insn, 0, ARENA_SIZE, 0x10000080ull, &e) != 0);
    CHECK_EQ(e.code, E_INTERNAL);
}
