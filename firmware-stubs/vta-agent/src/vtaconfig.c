/* vtaconfig.c - VTA configuration string parser. */
#include "vtaconfig.h"
#include <stdio.h>
#include <string.h>

static int parse_uint(const char **pp, uint32_t *out)
{
    const char *p = *pp;
    uint64_t v = 0;
    if (*p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9') {
        v = v * 10u + (uint64_t)(*p - '0');
        if (v > 0xFFFFFFFFu)
            return -1;
        p++;
    }
    *pp = p;
    *out = (uint32_t)v;
    return 0;
}

static int expect(const char **pp, char c)
{
    if (**pp != c)
        return -1;
    (*pp)++;
    return 0;
}

static int log2_exact(uint32_t v)
{
    if (v == 0 || (v & (v - 1)) != 0)
        return -1;
    int l = 0;
    while ((1u << l) != v)
        l++;
    return l;
}

int vta_config_parse(const char *s, vta_config_t *cfg, char *err, size_t errlen)
{
    const char *p = s;
    vta_config_t c;
    memset(&c, 0, sizeof(c));
    if (!s) {
        snprintf(err, errlen, "missing VTA configuration string");
        return -1;
    }
    if (parse_uint(&p, &c.batch) || expect(&p, 'x') || parse_uint(&p, &c.block) || expect(&p, '_') ||
        expect(&p, 'i') || parse_uint(&p, &c.inp_bits) || expect(&p, 'w') || parse_uint(&p, &c.wgt_bits) ||
        expect(&p, 'a') || parse_uint(&p, &c.acc_bits) || expect(&p, '_') || parse_uint(&p, &c.log_uop_buff) ||
        expect(&p, '_') || parse_uint(&p, &c.log_inp_buff) || expect(&p, '_') || parse_uint(&p, &c.log_wgt_buff) ||
        expect(&p, '_') || parse_uint(&p, &c.log_acc_buff) || *p != '\0') {
        snprintf(err, errlen,
                 "malformed VTA configuration '%s' at character %u (expected e.g. 1x16_i8w8a32_15_15_18_17)", s,
                 (unsigned)(p - s) + 1u);
        return -1;
    }
    int lb = log2_exact(c.batch), lk = log2_exact(c.block);
    int li = log2_exact(c.inp_bits), lw = log2_exact(c.wgt_bits), la = log2_exact(c.acc_bits);
    if (lb < 0 || lb > 8 || lk < 0 || lk > 10) {
        snprintf(err, errlen, "VTA configuration '%s': BATCH (1..256) and BLOCK (1..1024) must be powers of two", s);
        return -1;
    }
    if (li < 0 || lw < 0 || la < 0 || li > 5 || lw > 5 || la > 6) {
        snprintf(err, errlen,
                 "VTA configuration '%s': element widths must be powers of two (inp/wgt 1..32, acc 1..64 bits)", s);
        return -1;
    }
    if (c.log_uop_buff > 30 || c.log_inp_buff > 30 || c.log_wgt_buff > 30 || c.log_acc_buff > 30) {
        snprintf(err, errlen, "VTA configuration '%s': log2 buffer sizes must be at most 30", s);
        return -1;
    }
    c.out_bits = c.inp_bits;
    uint64_t bits[VTA_MEM_TYPES];
    bits[VTA_MEM_UOP] = 32;
    bits[VTA_MEM_WGT] = (uint64_t)c.wgt_bits * c.block * c.block;
    bits[VTA_MEM_INP] = (uint64_t)c.inp_bits * c.batch * c.block;
    bits[VTA_MEM_ACC] = (uint64_t)c.acc_bits * c.batch * c.block;
    bits[VTA_MEM_OUT] = (uint64_t)c.out_bits * c.batch * c.block;
    static const char *names[VTA_MEM_TYPES] = {"UOP", "WGT", "INP", "ACC", "OUT"};
    /* log2 of the element size in bits */
    int lbits[VTA_MEM_TYPES] = {5, lw + 2 * lk, li + lb + lk, la + lb + lk, li + lb + lk};
    /* OUT buffer: LOG_ACC_BUFF + LOG_OUT_WIDTH - LOG_ACC_WIDTH (pkg_config.py) */
    int log_out = (int)c.log_acc_buff + li - la;
    if (log_out < 0) {
        snprintf(err, errlen, "VTA configuration '%s': output buffer size would be negative", s);
        return -1;
    }
    c.log_out_buff = (uint32_t)log_out;
    uint32_t logbuf[VTA_MEM_TYPES] = {c.log_uop_buff, c.log_wgt_buff, c.log_inp_buff, c.log_acc_buff, c.log_out_buff};
    for (unsigned t = 0; t < VTA_MEM_TYPES; t++) {
        if (bits[t] % 8u != 0 || bits[t] / 8u > (1u << 20)) {
            snprintf(err, errlen, "VTA configuration '%s': %s element is %llu bits (must be whole bytes, <= 1 MiB)", s,
                     names[t], (unsigned long long)bits[t]);
            return -1;
        }
        c.elem_bytes[t] = (uint32_t)(bits[t] / 8u);
        /* depth = buffer bits / element bits = 2^(log_buff + 3 - lbits) */
        int ld = (int)logbuf[t] + 3 - lbits[t];
        if (ld < 0) {
            snprintf(err, errlen, "VTA configuration '%s': %s buffer (2^%u bytes) holds no %u-byte element", s,
                     names[t], logbuf[t], c.elem_bytes[t]);
            return -1;
        }
        c.depth[t] = 1u << ld;
    }
    *cfg = c;
    return 0;
}
