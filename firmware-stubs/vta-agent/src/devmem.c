/* devmem.c - aligned copies for device mappings. */
#include "devmem.h"
#include <string.h>

void dev_write(volatile uint8_t *dst, const uint8_t *src, size_t n)
{
    while (n && ((uintptr_t)dst & 3u)) {
        *dst++ = *src++;
        n--;
    }
    while (n >= 4) {
        uint32_t w;
        memcpy(&w, src, 4);
        *(volatile uint32_t *)(void *)(uintptr_t)dst = w;
        dst += 4;
        src += 4;
        n -= 4;
    }
    while (n--)
        *dst++ = *src++;
}

void dev_read(uint8_t *dst, const volatile uint8_t *src, size_t n)
{
    while (n && ((uintptr_t)src & 3u)) {
        *dst++ = *src++;
        n--;
    }
    while (n >= 4) {
        uint32_t w = *(const volatile uint32_t *)(const void *)(uintptr_t)src;
        memcpy(dst, &w, 4);
        dst += 4;
        src += 4;
        n -= 4;
    }
    while (n--)
        *dst++ = *src++;
}

void dev_zero(volatile uint8_t *dst, size_t n)
{
    while (n && ((uintptr_t)dst & 3u)) {
        *dst++ = 0;
        n--;
    }
    while (n >= 4) {
        *(volatile uint32_t *)(void *)(uintptr_t)dst = 0;
        dst += 4;
        n -= 4;
    }
    while (n--)
        *dst++ = 0;
}
