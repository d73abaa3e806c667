/* transport.h - byte streams the protocol runs over: stdio (SSH) and a raw tty (serial). */
#ifndef VTA_AGENT_TRANSPORT_H
#define VTA_AGENT_TRANSPORT_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int in_fd, out_fd;
    int is_tty;
} transport_t;

int transport_open_stdio(transport_t *t, char *err, size_t errlen);
/* Raw 8N1, no flow control, no modem control, VMIN=1 VTIME=0. */
int transport_open_tty(transport_t *t, const char *path, uint32_t baud, char *err, size_t errlen);
int transport_write_all(void *ctx, const uint8_t *buf, size_t len);
void transport_close(transport_t *t);
#endif
