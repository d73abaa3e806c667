/* wire.h - HilTuner board-bridge wire protocol: constants and byte helpers.
 * The normative description is docs/protocol.md; keep both in step. */
#ifndef VTA_AGENT_WIRE_H
#define VTA_AGENT_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_MAGIC0 0xA7u /* magic bytes on the wire: A7 56 54 41 ("\xA7VTA") */
#define WIRE_MAGIC1 0x56u
#define WIRE_MAGIC2 0x54u
#define WIRE_MAGIC3 0x41u
#define WIRE_MAGIC_U32 0x415456A7u /* the same four bytes read as a little-endian u32 */

#define WIRE_VERSION 1u
#define WIRE_HDR_SIZE 20u     /* magic..header_crc */
#define WIRE_TRAILER_SIZE 4u  /* frame CRC */
#define WIRE_OVERHEAD (WIRE_HDR_SIZE + WIRE_TRAILER_SIZE)
#define WIRE_DEFAULT_MAX_PAYLOAD (1u << 20)
#define WIRE_MIN_MAX_PAYLOAD 4096u
#define WIRE_MAX_MAX_PAYLOAD (16u << 20)

/* header offsets */
#define WIRE_OFF_MAGIC 0
#define WIRE_OFF_VERSION 4
#define WIRE_OFF_TYPE 5
#define WIRE_OFF_FLAGS 6
#define WIRE_OFF_RESERVED 7
#define WIRE_OFF_SEQ 8
#define WIRE_OFF_LEN 12
#define WIRE_OFF_HCRC 16

#define WIRE_FLAG_RESPONSE 0x01u

enum wire_type {
    MSG_HELLO = 0x01,
    MSG_WRITE = 0x02,
    MSG_READ = 0x03,
    MSG_RUN = 0x04,
    MSG_RESET = 0x05,
    MSG_STATUS = 0x06
};

enum wire_error {
    E_OK = 0x0000,
    E_VERSION = 0x0001,
    E_TYPE = 0x0002,
    E_HEADER = 0x0003,
    E_LENGTH = 0x0004,
    E_TOO_LARGE = 0x0005,
    E_CRC = 0x0006,
    E_RANGE = 0x0007,
    E_ARGUMENT = 0x0008,
    E_HUNG = 0x0009,
    E_CAPACITY = 0x000A,
    E_INSN_RANGE = 0x000B,
    E_INSN_MEMTYPE = 0x000C,
    E_RESET_FAILED = 0x000D,
    E_INTERNAL = 0x000E,
    E_BUSY = 0x000F
};

#define WIRE_ERR_TEXT_MAX 200u

/* request payload sizes */
#define REQ_WRITE_FIXED 12u /* u64 offset, u32 length, then data */
#define REQ_READ_SIZE 12u
#define REQ_RUN_SIZE 16u
#define REQ_RESET_SIZE 4u

/* response bodies (after the 4-byte code/reserved prefix) */
#define RESP_PREFIX 4u
#define RESP_HELLO_FIXED 44u
#define RESP_RUN_SIZE 24u
#define RESP_RESET_SIZE 16u
#define RESP_STATUS_SIZE 136u
#define RESP_ERROR_FIXED 6u /* u32 arg, u16 text_len */

enum run_status { RUN_DONE = 0, RUN_TIMEOUT = 1 };
enum last_run { LAST_NONE = 0, LAST_DONE = 1, LAST_TIMEOUT = 2, LAST_REFUSED = 3 };
enum agent_state { STATE_IDLE = 0, STATE_HUNG = 1 };
enum reset_kind { RESET_SOFT = 0, RESET_HARD = 1 };

#define RESET_ACT_PL_PULSED 0x01u
#define RESET_ACT_ARENA_ZEROED 0x02u
#define RESET_ACT_BITSTREAM_RUN 0x04u

#define CAP_CYCLE_COUNTER 0x01u
#define CAP_RESET_REGISTER 0x02u
#define CAP_BITSTREAM_CMD 0x04u
#define CAP_SIMULATED_MEMORY 0x08u

#define RUN_MAX_TIMEOUT_MS 3600000u

/* VTA ISA facts used by the agent (vta-isa.md section 2) */
#define VTA_INSN_BYTES 16u
#define VTA_OP_LOAD 0u
#define VTA_OP_STORE 1u
#define VTA_OP_GEMM 2u
#define VTA_OP_FINISH 3u
#define VTA_OP_ALU 4u
#define VTA_MEM_UOP 0u
#define VTA_MEM_WGT 1u
#define VTA_MEM_INP 2u
#define VTA_MEM_ACC 3u
#define VTA_MEM_OUT 4u
#define VTA_MEM_TYPES 5u

static inline void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)v);
    put_u32(p + 4, (uint32_t)(v >> 32));
}
static inline uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | ((uint16_t)p[1] << 8));
}
static inline uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | ((uint64_t)get_u32(p + 4) << 32);
}

#endif
