/* vtaconfig.h - parser for VTA configuration strings such as 1x16_i8w8a32_15_15_18_17
 * ({BATCH}x{BLOCK}_i{INP_W}w{WGT_W}a{ACC_W}_{LOG_UOP_BUFF}_{LOG_INP_BUFF}_{LOG_WGT_BUFF}_{LOG_ACC_BUFF}). */
#ifndef VTA_AGENT_VTACONFIG_H
#define VTA_AGENT_VTACONFIG_H
#include <stddef.h>
#include <stdint.h>
#include "wire.h"

typedef struct {
    uint32_t batch, block;                      /* BATCH, BLOCK_IN = BLOCK_OUT */
    uint32_t inp_bits, wgt_bits, acc_bits, out_bits; /* element widths; OUT = INP */
    uint32_t log_uop_buff, log_inp_buff, log_wgt_buff, log_acc_buff, log_out_buff; /* log2 bytes */
    uint32_t elem_bytes[VTA_MEM_TYPES]; /* DRAM element size per memory type (UOP, WGT, INP, ACC, OUT) */
    uint32_t depth[VTA_MEM_TYPES];      /* SRAM depth in elements per memory type */
} vta_config_t;

/* Returns 0 on success, -1 with a message in err. */
int vta_config_parse(const char *s, vta_config_t *cfg, char *err, size_t errlen);
#endif
