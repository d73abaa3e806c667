/* sha256.h - SHA-256 (FIPS 180-4), for the checksum that ends every HilTuner model file. */
#ifndef VTA_AGENT_SHA256_H
#define VTA_AGENT_SHA256_H
#include <stddef.h>
#include <stdint.h>

/* The digest of len bytes at data, written as 64 lower-case hex digits and a NUL into hex[65]. */
void sha256_hex(const void *data, size_t len, char hex[65]);
#endif
