/* test_config.c - VTA configuration strings and the command line. */
#include <string.h>
#include "cli.h"
#include "t.h"
#include "vtaconfig.h"

void test_config_default_string(void)
{
    vta_config_t c;
    char err[256];
    REQUIRE(vta_config_parse("1x16_i8w8a32_15_15_18_17", &c, err, sizeof(err)) == 0);
    CHECK_EQ(c.batch, 1);
    CHECK_EQ(c.block, 16);
    CHECK_EQ(c.inp_bits, 8);
    CHECK_EQ(c.wgt_bits, 8);
    CHECK_EQ(c.acc_bits, 32);
    CHECK_EQ(c.out_bits, 8);
    CHECK_EQ(c.elem_bytes[VTA_MEM_UOP], 4);
    CHECK_EQ(c.elem_bytes[VTA_MEM_INP], 16);
    CHECK_EQ(c.elem_bytes[VTA_MEM_WGT], 256);
    CHECK_EQ(c.elem_bytes[VTA_MEM_ACC], 64);
    CHECK_EQ(c.elem_bytes[VTA_MEM_OUT], 16);
    CHECK_EQ(c.depth[VTA_MEM_UOP], 8192);
    CHECK_EQ(c.depth[VTA_MEM_INP], 2048);
    CHECK_EQ(c.depth[VTA_MEM_WGT], 1024);
    CHECK_EQ(c.depth[VTA_MEM_ACC], 2048);
    CHECK_EQ(c.depth[VTA_MEM_OUT], 2048);
    CHECK_EQ(c.log_out_buff, 15);
}

void test_config_other_strings(void)
{
    vta_config_t c;
    char err[256];
    REQUIRE(vta_config_parse("2x32_i8w8a32_15_15_18_17", &c, err, sizeof(err)) == 0);
    CHECK_EQ(c.elem_bytes[VTA_MEM_INP], 64);   /* 2*32*1 */
    CHECK_EQ(c.elem_bytes[VTA_MEM_WGT], 1024); /* 32*32*1 */
    CHECK_EQ(c.elem_bytes[VTA_MEM_ACC], 256);  /* 2*32*4 */
    CHECK_EQ(c.elem_bytes[VTA_MEM_OUT], 64);
    CHECK_EQ(c.depth[VTA_MEM_WGT], 256);
    REQUIRE(vta_config_parse("1x16_i4w4a32_15_15_18_17", &c, err, sizeof(err)) == 0);
    CHECK_EQ(c.elem_bytes[VTA_MEM_INP], 8);
    CHECK_EQ(c.elem_bytes[VTA_MEM_WGT], 128);
    CHECK_EQ(c.elem_bytes[VTA_MEM_OUT], 8);
    CHECK_EQ(c.log_out_buff, 17 + 2 - 5);
    REQUIRE(vta_config_parse("1x8_i8w8a32_12_12_14_13", &c, err, sizeof(err)) == 0);
    CHECK_EQ(c.depth[VTA_MEM_UOP], 1024);
    CHECK_EQ(c.elem_bytes[VTA_MEM_WGT], 64);
}

void test_config_rejects_bad_strings(void)
{
    static const char *const bad[] = {
        "",                            /* empty */
        "1x16_i8w8a32_15_15_18",       /* a field short */
        "1x16_i8w8a32_15_15_18_17_",   /* trailing */
        "1x16_i8w8a32_15_15_18_17x",   /* trailing */
        "pynq_1x16_i8w8a32_15_15_18_17", /* target prefix is not part of it */
        "0x16_i8w8a32_15_15_18_17",    /* batch 0 */
        "1x15_i8w8a32_15_15_18_17",    /* block not a power of two */
        "1x16_i7w8a32_15_15_18_17",    /* width not a power of two */
        "1x16_i8w8a33_15_15_18_17",    /* acc width */
        "1x16_i8w8a32_15_15_18_99",    /* log size too big */
        "1x16_i8w8a32_1_15_18_17",     /* uop buffer smaller than one uop */
        "1x16_i8w8a32_15_3_18_17",     /* inp buffer smaller than one element */
        "1x2_i1w1a32_15_15_18_17",     /* 2-bit inputs are not whole bytes */
        "99999999999x16_i8w8a32_15_15_18_17",
        "1X16_i8w8a32_15_15_18_17",
        " 1x16_i8w8a32_15_15_18_17",
        "1x16_i8w8a32_15_15_18_-17",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        vta_config_t c;
        char err[256] = "";
        int r = vta_config_parse(bad[i], &c, err, sizeof(err));
        if (r == 0)
            t_fail(__FILE__, __LINE__, "accepted bad config '%s'", bad[i]);
        CHECK(strlen(err) > 10);
    }
    vta_config_t c;
    char err[256];
    CHECK(vta_config_parse(NULL, &c, err, sizeof(err)) != 0);
}

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

void test_cli_accepts_valid_lines(void)
{
    options_t o;
    char err[512];
    const char *a1[] = {"vta-agent", "--stdio", "--target", "pynq", "--config", "1x16_i8w8a32_15_15_18_17",
                        "--board-id", "pynq-01", "--dma-phys", "0x10000000", "--dma-size", "16777216"};
    REQUIRE(cli_parse(ARGC(a1), (char **)(uintptr_t)a1, &o, err, sizeof(err)) == 0);
    CHECK_EQ(o.transport, TRANSPORT_STDIO);
    CHECK_EQ(o.target, TARGET_PYNQ);
    CHECK_EQ(o.dma_phys, 0x10000000u);
    CHECK_EQ(o.dma_size, 16777216u);
    CHECK(!strcmp(o.mem_path, "/dev/mem"));
    CHECK_EQ(o.reset_mode, RESET_REG_DEFAULT);
    CHECK_EQ(o.max_payload, 1u << 20);
    const char *a2[] = {"vta-agent", "--tty=/dev/ttyPS1", "--baud=921600", "--target=ultra96",
                        "--config=1x16_i8w8a32_15_15_18_17", "--board-id=u96:a", "--udmabuf", "udmabuf0",
                        "--reset-reg", "0xFF0A0054", "--reset-assert", "0", "--reset-deassert", "0x80000000",
                        "--reset-unlock", "0xFF0A0000=1", "--cycle-counter", "0xA0004000", "--bitstream-cmd",
                        "fpgautil -b /lib/firmware/vta.bit", "--log-level", "debug", "--fetch-base", "0xA0010000",
                        "--max-payload", "65536", "--insn-capacity", "1024", "--poll-us", "50"};
    REQUIRE(cli_parse(ARGC(a2), (char **)(uintptr_t)a2, &o, err, sizeof(err)) == 0);
    CHECK_EQ(o.transport, TRANSPORT_TTY);
    CHECK(!strcmp(o.tty_path, "/dev/ttyPS1"));
    CHECK_EQ(o.baud, 921600);
    CHECK_EQ(o.target, TARGET_ULTRA96);
    CHECK_EQ(o.reset_mode, RESET_REG_SET);
    CHECK_EQ(o.reset_reg, 0xFF0A0054u);
    CHECK_EQ(o.reset_deassert, 0x80000000u);
    CHECK_EQ(o.unlock_addr, 0xFF0A0000u);
    CHECK_EQ(o.unlock_value, 1);
    CHECK_EQ(o.base[0], 0xA0010000u);
    CHECK_EQ(o.base_set[1], 0);
    CHECK_EQ(o.max_payload, 65536);
    CHECK_EQ(o.insn_capacity, 1024);
    const char *a3[] = {"vta-agent", "--stdio", "--target", "de10nano", "--config", "1x16_i8w8a32_15_15_18_17",
                        "--board-id", "de10", "--dma-phys", "0x20000000", "--dma-size", "0x100000", "--vcr-base",
                        "0xFF220000", "--reset-reg", "none", "--mem", "/tmp/x.shm", "--create-mem"};
    REQUIRE(cli_parse(ARGC(a3), (char **)(uintptr_t)a3, &o, err, sizeof(err)) == 0);
    CHECK_EQ(o.reset_mode, RESET_REG_NONE);
    CHECK_EQ(o.create_mem, 1);
}

void test_cli_rejects_bad_lines(void)
{
#define BASE "--stdio", "--target", "pynq", "--config", "1x16_i8w8a32_15_15_18_17", "--board-id", "b", "--dma-phys", \
             "0x10000000", "--dma-size", "0x1000000"
    static const char *const lines[][24] = {
        {"vta-agent", BASE, "--frobnicate"},
        {"vta-agent", BASE, "--baud", "115200"},             /* baud without tty */
        {"vta-agent", BASE, "--tty", "/dev/ttyS0"},          /* both transports */
        {"vta-agent", BASE, "--dma-phys"},                   /* missing value */
        {"vta-agent", BASE, "--dma-size", "0"},
        {"vta-agent", BASE, "--dma-size", "12abc"},
        {"vta-agent", BASE, "--target", "zedboard"},
        {"vta-agent", BASE, "--board-id", "has space"},
        {"vta-agent", BASE, "--fetch-base", "0x43C00002"},  /* unaligned */
        {"vta-agent", BASE, "--vcr-base", "0xFF220000"},    /* not de10nano */
        {"vta-agent", BASE, "--reset-reg", "0xF8000240"},   /* values missing */
        {"vta-agent", BASE, "--reset-unlock", "0xF8000008"},
        {"vta-agent", BASE, "--max-payload", "100"},
        {"vta-agent", BASE, "--log-level", "loud"},
        {"vta-agent", BASE, "--udmabuf", "udmabuf0"},       /* both DMA sources */
        {"vta-agent", BASE, "--create-mem=yes"},
        {"vta-agent", BASE, "positional"},
        {"vta-agent", "--target", "pynq", "--config", "1x16_i8w8a32_15_15_18_17", "--board-id", "b"}, /* no transport */
        {"vta-agent", "--stdio", "--config", "1x16_i8w8a32_15_15_18_17", "--board-id", "b", "--dma-phys", "0",
         "--dma-size", "4096"}, /* no target */
        {"vta-agent", "--stdio", "--target", "pynq", "--board-id", "b", "--dma-phys", "0", "--dma-size", "4096"},
        {"vta-agent", "--stdio", "--target", "pynq", "--config", "1x16_i8w8a32_15_15_18_17", "--board-id", "b"},
        {"vta-agent", "--tty", "/dev/ttyS0", "--baud", "123", "--target", "pynq", "--config", "x", "--board-id", "b"},
    };
#undef BASE
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        int argc = 0;
        while (argc < 24 && lines[i][argc])
            argc++;
        options_t o;
        char err[512] = "";
        int r = cli_parse(argc, (char **)(uintptr_t)lines[i], &o, err, sizeof(err));
        if (r != -1)
            t_fail(__FILE__, __LINE__, "command line %zu accepted", i);
        CHECK(strlen(err) > 5 && strchr(err, '\n') == NULL);
    }
}
