/* devmem.h - copies to and from device (uncached / strongly ordered) mappings.
 * Uncached ARM mappings fault on unaligned accesses and on DC ZVA, which glibc's
 * memcpy/memset may use; these helpers only make naturally aligned accesses on
 * the device side. */
#ifndef VTA_AGENT_DEVMEM_H
#define VTA_AGENT_DEVMEM_H
#include <stddef.h>
#include <stdint.h>

void dev_write(volatile uint8_t *dst, const uint8_t *src, size_t n);
void dev_read(uint8_t *dst, const volatile uint8_t *src, size_t n);
void dev_zero(volatile uint8_t *dst, size_t n);

static inline void reg_write(volatile uint32_t *r, uint32_t v) { *r = v; }
static inline uint32_t reg_read(const volatile uint32_t *r) { return *r; }

/* Full barrier that also orders against a bus master outside the CPU cluster. */
static inline void io_barrier(void)
{
#if defined(__aarch64__)
    __asm__ __volatile__("dsb sy" ::: "memory");
#elif defined(__arm__)
    __asm__ __volatile__("dsb" ::: "memory");
#elif defined(__x86_64__) || defined(__i386__)
    __asm__ __volatile__("mfence" ::: "memory");
#else
    __sync_synchronize();
#endif
}
#endif
