/* crc32.h - CRC-32 (IEEE 802.3, reflected poly 0xEDB88320, init and final xor 0xFFFFFFFF),
 * the same function as zlib's crc32() and .NET's System.IO.Hashing.Crc32. */
#ifndef VTA_AGENT_CRC32_H
#define VTA_AGENT_CRC32_H
#include <stddef.h>
#include <stdint.h>

void crc32_init(void);
/* Continue a CRC: start with crc = 0, pass the previous result to continue. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);
static inline uint32_t crc32_calc(const void *data, size_t len) { return crc32_update(0, data, len); }
#endif
