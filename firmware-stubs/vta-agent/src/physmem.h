/* physmem.h - the physical address space: /dev/mem on a board, a shared (sparse) file in
 * host builds where file offset == physical address. Only the path differs. */
#ifndef VTA_AGENT_PHYSMEM_H
#define VTA_AGENT_PHYSMEM_H
#include <stddef.h>
#include <stdint.h>

#define PHYSMEM_MAX_MAPS 16

typedef struct {
    uint64_t base; /* page aligned physical address */
    size_t len;
    volatile uint8_t *p;
} physmap_t;

typedef struct {
    int fd;
    int is_regular; /* a plain file standing for the address space */
    size_t page;
    physmap_t maps[PHYSMEM_MAX_MAPS];
    int nmaps;
} physmem_t;

/* Open path O_RDWR|O_SYNC. For a regular file, it must be at least needed_end bytes long;
 * with create != 0 it is created and extended (sparse) when shorter. */
int physmem_open(physmem_t *pm, const char *path, int create, uint64_t needed_end, char *err, size_t errlen);
/* Map [phys, phys+len) (rounded out to pages); reuses a mapping that covers it. */
volatile uint8_t *physmem_map(physmem_t *pm, uint64_t phys, size_t len, char *err, size_t errlen);
static inline volatile uint32_t *physmem_reg(physmem_t *pm, uint64_t phys, char *err, size_t errlen)
{
    return (volatile uint32_t *)(void *)physmem_map(pm, phys, 4, err, errlen);
}
void physmem_close(physmem_t *pm);
#endif
