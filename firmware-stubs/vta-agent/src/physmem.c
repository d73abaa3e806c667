/* physmem.c - mapping physical pages from /dev/mem or a stand-in file. */
#include "physmem.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(sizeof(off_t) == 8, "build with -D_FILE_OFFSET_BITS=64: physical addresses exceed 2 GiB");

int physmem_open(physmem_t *pm, const char *path, int create, uint64_t needed_end, char *err, size_t errlen)
{
    memset(pm, 0, sizeof(*pm));
    pm->fd = -1;
    long pg = sysconf(_SC_PAGESIZE);
    pm->page = pg > 0 ? (size_t)pg : 4096u;
    int flags = O_RDWR | O_SYNC | O_CLOEXEC | (create ? O_CREAT : 0);
    int fd = open(path, flags, 0666);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open memory %s: %s%s", path, strerror(errno),
                 (errno == ENOENT && !create) ? " (pass --create-mem to create a stand-in file)" : "");
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    pm->is_regular = S_ISREG(st.st_mode);
    if (pm->is_regular && (uint64_t)st.st_size < needed_end) {
        if (!create) {
            snprintf(err, errlen, "memory file %s is %llu bytes but must cover 0x%llx; size it or pass --create-mem",
                     path, (unsigned long long)st.st_size, (unsigned long long)needed_end);
            close(fd);
            return -1;
        }
        if (ftruncate(fd, (off_t)needed_end) != 0) {
            snprintf(err, errlen, "cannot extend %s to 0x%llx bytes: %s", path, (unsigned long long)needed_end,
                     strerror(errno));
            close(fd);
            return -1;
        }
    }
    pm->fd = fd;
    return 0;
}

volatile uint8_t *physmem_map(physmem_t *pm, uint64_t phys, size_t len, char *err, size_t errlen)
{
    uint64_t base = phys & ~((uint64_t)pm->page - 1u);
    uint64_t end = phys + (len ? len : 1u);
    uint64_t mlen = ((end - base) + pm->page - 1u) & ~((uint64_t)pm->page - 1u);
    for (int i = 0; i < pm->nmaps; i++) {
        physmap_t *m = &pm->maps[i];
        if (base >= m->base && end <= m->base + m->len)
            return m->p + (phys - m->base);
    }
    if (pm->nmaps >= PHYSMEM_MAX_MAPS) {
        snprintf(err, errlen, "too many distinct physical mappings");
        return NULL;
    }
    if (mlen > (uint64_t)SIZE_MAX) {
        snprintf(err, errlen, "mapping of 0x%llx bytes does not fit the address space", (unsigned long long)mlen);
        return NULL;
    }
    void *p = mmap(NULL, (size_t)mlen, PROT_READ | PROT_WRITE, MAP_SHARED, pm->fd, (off_t)base);
    if (p == MAP_FAILED) {
        snprintf(err, errlen, "mmap of physical 0x%llx (+0x%llx) failed: %s", (unsigned long long)base,
                 (unsigned long long)mlen, strerror(errno));
        return NULL;
    }
    physmap_t *m = &pm->maps[pm->nmaps++];
    m->base = base;
    m->len = (size_t)mlen;
    m->p = (volatile uint8_t *)p;
    return m->p + (phys - base);
}

void physmem_close(physmem_t *pm)
{
    for (int i = 0; i < pm->nmaps; i++)
        munmap((void *)(uintptr_t)pm->maps[i].p, pm->maps[i].len);
    pm->nmaps = 0;
    if (pm->fd >= 0)
        close(pm->fd);
    pm->fd = -1;
}
