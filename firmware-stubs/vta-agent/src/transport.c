/* transport.c - stdio and tty transports. */
#include "transport.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int transport_open_stdio(transport_t *t, char *err, size_t errlen)
{
    if (fcntl(0, F_GETFL) < 0 || fcntl(1, F_GETFL) < 0) {
        snprintf(err, errlen, "--stdio: standard input or output is closed");
        return -1;
    }
    t->in_fd = 0;
    t->out_fd = 1;
    t->is_tty = 0;
    return 0;
}

static int baud_constant(uint32_t baud, speed_t *out)
{
    static const struct {
        uint32_t rate;
        speed_t c;
    } table[] = {{9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},
                 {115200, B115200},   {230400, B230400},   {460800, B460800},   {500000, B500000},
                 {576000, B576000},   {921600, B921600},   {1000000, B1000000}, {1152000, B1152000},
                 {1500000, B1500000}, {2000000, B2000000}, {3000000, B3000000}, {4000000, B4000000}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (table[i].rate == baud) {
            *out = table[i].c;
            return 0;
        }
    return -1;
}

int transport_open_tty(transport_t *t, const char *path, uint32_t baud, char *err, size_t errlen)
{
    speed_t sp;
    if (baud_constant(baud, &sp) != 0) {
        snprintf(err, errlen, "--baud: unsupported rate %u", baud);
        return -1;
    }
    int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open tty %s: %s", path, strerror(errno));
        return -1;
    }
    struct termios tio;
    if (tcgetattr(fd, &tio) != 0) {
        snprintf(err, errlen, "%s is not a terminal: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    cfmakeraw(&tio); /* no echo, no canonical mode, no CR/LF mapping, 8 bits, no parity */
    tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY | INPCK | ISTRIP);
    tio.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CSIZE | CRTSCTS | HUPCL);
    tio.c_cflag |= CS8 | CLOCAL | CREAD;
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    cfsetispeed(&tio, sp);
    cfsetospeed(&tio, sp);
    if (tcsetattr(fd, TCSANOW, &tio) != 0) {
        snprintf(err, errlen, "cannot configure %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    tcflush(fd, TCIOFLUSH);
    t->in_fd = t->out_fd = fd;
    t->is_tty = 1;
    return 0;
}

int transport_write_all(void *ctx, const uint8_t *buf, size_t len)
{
    transport_t *t = (transport_t *)ctx;
    while (len > 0) {
        ssize_t n = write(t->out_fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                struct pollfd p = {.fd = t->out_fd, .events = POLLOUT};
                poll(&p, 1, 1000);
                continue;
            }
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

void transport_close(transport_t *t)
{
    if (t->is_tty && t->in_fd >= 0)
        close(t->in_fd);
    t->in_fd = t->out_fd = -1;
}
