/* cli.c - command-line parsing; every bad flag or value is one clear line and exit code 2. */
#include "cli.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util.h"
#include "wire.h"

static const char usage_text[] =
    "usage: vta-agent (--stdio | --tty DEVICE [--baud N]) --target pynq|ultra96|zcu104|de10nano\n"
    "                 --config 1x16_i8w8a32_15_15_18_17 --board-id ID\n"
    "                 (--dma-phys ADDR --dma-size BYTES | --udmabuf NAME) [options]\n"
    "       vta-agent predict --model FILE.onnx [--rows FILE.csv] [--threshold P]   (the validity model; predict --help)\n"
    "memory:\n"
    "  --mem PATH              physical memory device or stand-in file (default /dev/mem)\n"
    "  --create-mem            create/extend PATH as a sparse file (host builds, CI)\n"
    "  --dma-phys ADDR         physical address of the DMA region (page aligned)\n"
    "  --dma-size BYTES        size of the DMA region (arena + instruction buffer)\n"
    "  --udmabuf NAME          use u-dma-buf device /dev/NAME instead of --dma-phys/--dma-size\n"
    "  --insn-capacity N       instructions reserved at the end of the DMA region (default 65536)\n"
    "  --dev-addr-offset ADDR  added to CPU physical addresses to form VTA bus addresses\n"
    "                          (default 0; de10nano 0x80000000)\n"
    "registers:\n"
    "  --fetch-base/--load-base/--compute-base/--store-base ADDR   HLS module bases\n"
    "  --vcr-base ADDR         de10nano VCR block base (default 0xFF220000)\n"
    "  --cycle-counter ADDR    32-bit cycle counter read after done (de10nano: VCR+0x04)\n"
    "reset:\n"
    "  --reset-reg ADDR|none   PL reset register (pynq default 0xF8000240)\n"
    "  --reset-assert V --reset-deassert V   values written to it (pynq default 0xF / 0x0)\n"
    "  --reset-unlock ADDR=V   write before each reset write (pynq default 0xF8000008=0xDF0D)\n"
    "  --reset-hold-ms N       time the reset stays asserted (default 10)\n"
    "  --bitstream-cmd CMD     shell command run by a hard reset to reload the bitstream\n"
    "  --bitstream-timeout-ms N  (default 120000)\n"
    "other:\n"
    "  --max-payload BYTES     largest frame payload (default 1048576, 4096..16777216)\n"
    "  --poll-us N             sleep between register polls (default 20)\n"
    "  --lock-wait-ms N        wait this long for another agent's run, upload or reset on the same accelerator (default 10000)\n"
    "  --log-level error|warn|info|debug   (default info; logs go to stderr)\n"
    "  --help, --version\n";

void cli_usage(void)
{
    ssize_t w = write(1, usage_text, sizeof(usage_text) - 1);
    (void)w;
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
    uint64_t v;
    if (parse_u64(s, &v) || v > 0xFFFFFFFFu)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int valid_board_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == ':' || c == '@'))
            return 0;
    }
    return 1;
}

static const uint32_t bauds[] = {9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, 576000, 921600,
                                 1000000, 1152000, 1500000, 2000000, 3000000, 4000000};

#define FAIL(...)                                                                                                      \
    do {                                                                                                               \
        snprintf(err, errlen, __VA_ARGS__);                                                                            \
        return -1;                                                                                                     \
    } while (0)

int cli_parse(int argc, char **argv, options_t *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    o->mem_path = "/dev/mem";
    o->baud = 115200;
    o->insn_capacity = 65536;
    o->reset_hold_ms = 10;
    o->bitstream_timeout_ms = 120000;
    o->max_payload = WIRE_DEFAULT_MAX_PAYLOAD;
    o->poll_us = 20;
    o->lock_wait_ms = 10000;
    o->log_level = LOG_INFO;
    int baud_set = 0;

    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        const char *val = NULL;
        char name[48];
        if (strncmp(arg, "--", 2) != 0)
            FAIL("unexpected argument '%s' (flags start with --; see --help)", arg);
        const char *eq = strchr(arg, '=');
        size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
        if (nlen >= sizeof(name))
            FAIL("unknown flag '%.40s...' (see --help)", arg);
        memcpy(name, arg, nlen);
        name[nlen] = '\0';

        /* flags without a value */
        if (!strcmp(name, "--help") || !strcmp(name, "--version") || !strcmp(name, "--stdio") ||
            !strcmp(name, "--create-mem")) {
            if (eq)
                FAIL("%s takes no value", name);
            if (!strcmp(name, "--help")) {
                cli_usage();
                return 1;
            }
            if (!strcmp(name, "--version")) {
                ssize_t w = write(1, "vta-agent " AGENT_VERSION_STRING "\n", sizeof("vta-agent " AGENT_VERSION_STRING "\n") - 1);
                (void)w;
                return 1;
            }
            if (!strcmp(name, "--stdio")) {
                if (o->transport == TRANSPORT_TTY)
                    FAIL("--stdio and --tty are mutually exclusive");
                o->transport = TRANSPORT_STDIO;
            } else {
                o->create_mem = 1;
            }
            continue;
        }
        static const char *const value_flags[] = {
            "--tty", "--baud", "--board-id", "--config", "--target", "--mem", "--dma-phys", "--dma-size", "--udmabuf",
            "--insn-capacity", "--fetch-base", "--load-base", "--compute-base", "--store-base", "--vcr-base",
            "--dev-addr-offset", "--cycle-counter", "--reset-reg", "--reset-assert", "--reset-deassert",
            "--reset-unlock", "--reset-hold-ms", "--bitstream-cmd", "--bitstream-timeout-ms", "--max-payload",
            "--poll-us", "--lock-wait-ms", "--log-level"};
        int known = 0;
        for (size_t k = 0; k < sizeof(value_flags) / sizeof(value_flags[0]); k++)
            known |= !strcmp(name, value_flags[k]);
        if (!known)
            FAIL("unknown flag '%s' (see --help)", name);
        if (eq) {
            val = eq + 1;
        } else {
            if (i + 1 >= argc)
                FAIL("%s needs a value (see --help)", name);
            val = argv[++i];
        }
        uint64_t u64;
        uint32_t u32;
        int bi = !strcmp(name, "--fetch-base")     ? 0
                 : !strcmp(name, "--load-base")    ? 1
                 : !strcmp(name, "--compute-base") ? 2
                 : !strcmp(name, "--store-base")   ? 3
                                                   : -1;
        if (!strcmp(name, "--tty")) {
            if (o->transport == TRANSPORT_STDIO)
                FAIL("--stdio and --tty are mutually exclusive");
            if (!*val)
                FAIL("--tty: empty device path");
            o->transport = TRANSPORT_TTY;
            o->tty_path = val;
        } else if (!strcmp(name, "--baud")) {
            int ok = 0;
            if (!parse_u32(val, &u32))
                for (size_t k = 0; k < sizeof(bauds) / sizeof(bauds[0]); k++)
                    ok |= bauds[k] == u32;
            if (!ok)
                FAIL("--baud: unsupported rate '%s' (9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, "
                     "576000, 921600, 1000000, 1152000, 1500000, 2000000, 3000000, 4000000)", val);
            o->baud = u32;
            baud_set = 1;
        } else if (!strcmp(name, "--board-id")) {
            if (!valid_board_id(val))
                FAIL("--board-id: '%s' must be 1..64 characters of [A-Za-z0-9._:@-]", val);
            o->board_id = val;
        } else if (!strcmp(name, "--config")) {
            o->config = val; /* validated by the caller with vta_config_parse */
        } else if (!strcmp(name, "--target")) {
            if (!strcmp(val, "pynq"))
                o->target = TARGET_PYNQ;
            else if (!strcmp(val, "ultra96"))
                o->target = TARGET_ULTRA96;
            else if (!strcmp(val, "zcu104"))
                o->target = TARGET_ZCU104;
            else if (!strcmp(val, "de10nano"))
                o->target = TARGET_DE10NANO;
            else
                FAIL("--target: unknown target '%s' (pynq, ultra96, zcu104, de10nano)", val);
            o->target_set = 1;
        } else if (!strcmp(name, "--mem")) {
            if (!*val)
                FAIL("--mem: empty path");
            o->mem_path = val;
        } else if (!strcmp(name, "--dma-phys")) {
            if (parse_u64(val, &u64))
                FAIL("--dma-phys: '%s' is not an address (decimal or 0x hex)", val);
            o->dma_phys = u64;
            o->dma_phys_set = 1;
        } else if (!strcmp(name, "--dma-size")) {
            if (parse_u64(val, &u64) || u64 == 0)
                FAIL("--dma-size: '%s' is not a positive byte count", val);
            o->dma_size = u64;
            o->dma_size_set = 1;
        } else if (!strcmp(name, "--udmabuf")) {
            if (!*val)
                FAIL("--udmabuf: empty name");
            o->udmabuf = val;
        } else if (!strcmp(name, "--insn-capacity")) {
            if (parse_u32(val, &u32) || u32 == 0 || u32 > (1u << 21))
                FAIL("--insn-capacity: '%s' must be 1..2097152 instructions", val);
            o->insn_capacity = u32;
        } else if (bi >= 0) {
            if (parse_u64(val, &u64) || (u64 & 3u))
                FAIL("%s: '%s' is not a 4-byte aligned address", name, val);
            o->base[bi] = u64;
            o->base_set[bi] = 1;
        } else if (!strcmp(name, "--vcr-base")) {
            if (parse_u64(val, &u64) || (u64 & 3u))
                FAIL("--vcr-base: '%s' is not a 4-byte aligned address", val);
            o->vcr_base = u64;
            o->vcr_base_set = 1;
        } else if (!strcmp(name, "--dev-addr-offset")) {
            if (parse_u64(val, &u64) || u64 > 0xFFFFFFFFu)
                FAIL("--dev-addr-offset: '%s' is not a 32-bit value", val);
            o->dev_offset = u64;
            o->dev_offset_set = 1;
        } else if (!strcmp(name, "--cycle-counter")) {
            if (parse_u64(val, &u64) || (u64 & 3u))
                FAIL("--cycle-counter: '%s' is not a 4-byte aligned address", val);
            o->cycle_addr = u64;
            o->cycle_set = 1;
        } else if (!strcmp(name, "--reset-reg")) {
            if (!strcmp(val, "none")) {
                o->reset_mode = RESET_REG_NONE;
            } else {
                if (parse_u64(val, &u64) || (u64 & 3u))
                    FAIL("--reset-reg: '%s' is not a 4-byte aligned address or 'none'", val);
                o->reset_reg = u64;
                o->reset_mode = RESET_REG_SET;
            }
        } else if (!strcmp(name, "--reset-assert")) {
            if (parse_u32(val, &u32))
                FAIL("--reset-assert: '%s' is not a 32-bit value", val);
            o->reset_assert = u32;
            o->reset_assert_set = 1;
        } else if (!strcmp(name, "--reset-deassert")) {
            if (parse_u32(val, &u32))
                FAIL("--reset-deassert: '%s' is not a 32-bit value", val);
            o->reset_deassert = u32;
            o->reset_deassert_set = 1;
        } else if (!strcmp(name, "--reset-unlock")) {
            const char *e2 = strchr(val, '=');
            char abuf[32];
            if (!e2 || (size_t)(e2 - val) >= sizeof(abuf))
                FAIL("--reset-unlock: '%s' must be ADDR=VALUE (e.g. 0xF8000008=0xDF0D)", val);
            memcpy(abuf, val, (size_t)(e2 - val));
            abuf[e2 - val] = '\0';
            if (parse_u64(abuf, &u64) || (u64 & 3u) || parse_u32(e2 + 1, &u32))
                FAIL("--reset-unlock: '%s' must be ADDR=VALUE with a 4-byte aligned address", val);
            o->unlock_addr = u64;
            o->unlock_value = u32;
            o->unlock_set = 1;
        } else if (!strcmp(name, "--reset-hold-ms")) {
            if (parse_u32(val, &u32) || u32 > 10000)
                FAIL("--reset-hold-ms: '%s' must be 0..10000", val);
            o->reset_hold_ms = u32;
        } else if (!strcmp(name, "--bitstream-cmd")) {
            if (!*val)
                FAIL("--bitstream-cmd: empty command");
            o->bitstream_cmd = val;
        } else if (!strcmp(name, "--bitstream-timeout-ms")) {
            if (parse_u32(val, &u32) || u32 == 0)
                FAIL("--bitstream-timeout-ms: '%s' must be a positive number", val);
            o->bitstream_timeout_ms = u32;
        } else if (!strcmp(name, "--max-payload")) {
            if (parse_u32(val, &u32) || u32 < WIRE_MIN_MAX_PAYLOAD || u32 > WIRE_MAX_MAX_PAYLOAD)
                FAIL("--max-payload: '%s' must be %u..%u bytes", val, WIRE_MIN_MAX_PAYLOAD, WIRE_MAX_MAX_PAYLOAD);
            o->max_payload = u32;
        } else if (!strcmp(name, "--lock-wait-ms")) {
            if (parse_u32(val, &u32) || u32 > 3600000)
                FAIL("--lock-wait-ms: '%s' must be 0..3600000", val);
            o->lock_wait_ms = u32;
        } else if (!strcmp(name, "--poll-us")) {
            if (parse_u32(val, &u32) || u32 > 100000)
                FAIL("--poll-us: '%s' must be 0..100000", val);
            o->poll_us = u32;
        } else if (!strcmp(name, "--log-level")) {
            if (!strcmp(val, "error"))
                o->log_level = LOG_ERROR;
            else if (!strcmp(val, "warn"))
                o->log_level = LOG_WARN;
            else if (!strcmp(val, "info"))
                o->log_level = LOG_INFO;
            else if (!strcmp(val, "debug"))
                o->log_level = LOG_DEBUG;
            else
                FAIL("--log-level: unknown level '%s' (error, warn, info, debug)", val);
        } else {
            FAIL("unknown flag '%s' (see --help)", name);
        }
    }

    if (o->transport == TRANSPORT_NONE)
        FAIL("choose a transport: --stdio or --tty DEVICE");
    if (baud_set && o->transport != TRANSPORT_TTY)
        FAIL("--baud only applies to --tty");
    if (!o->target_set)
        FAIL("--target is required (pynq, ultra96, zcu104, de10nano)");
    if (!o->config)
        FAIL("--config is required (e.g. 1x16_i8w8a32_15_15_18_17)");
    if (!o->board_id)
        FAIL("--board-id is required");
    if (o->udmabuf && (o->dma_phys_set || o->dma_size_set))
        FAIL("--udmabuf and --dma-phys/--dma-size are mutually exclusive");
    if (!o->udmabuf && !(o->dma_phys_set && o->dma_size_set))
        FAIL("give the DMA region: --dma-phys ADDR --dma-size BYTES, or --udmabuf NAME");
    if (o->target == TARGET_DE10NANO) {
        for (int k = 0; k < 4; k++)
            if (o->base_set[k])
                FAIL("--fetch/load/compute/store-base apply to HLS targets; de10nano uses --vcr-base");
    } else if (o->vcr_base_set) {
        FAIL("--vcr-base applies to target de10nano only");
    }
    if (o->reset_mode == RESET_REG_SET && !(o->reset_assert_set && o->reset_deassert_set))
        FAIL("--reset-reg needs --reset-assert V and --reset-deassert V");
    if (o->reset_mode != RESET_REG_SET && (o->reset_assert_set || o->reset_deassert_set || o->unlock_set) &&
        !(o->reset_mode == RESET_REG_DEFAULT && o->target == TARGET_PYNQ))
        FAIL("--reset-assert/--reset-deassert/--reset-unlock need --reset-reg ADDR");
    return 0;
}
