/* agent.c - request handling, duplicate replay, run state machine. */
#include "agent.h"
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "crc32.h"
#include "devmem.h"
#include "insn.h"
#include "util.h"

int agent_init(agent_t *a, const agent_params_t *p)
{
    uint8_t *rxbuf = NULL, *tx = NULL, *cache = NULL;
    memset(a, 0, sizeof(*a));
    a->dma_fd = -1;
    a->lock_fd = -1;
    a->p = *p;
    crc32_init();
    a->frame_cap = (size_t)p->max_payload + WIRE_OVERHEAD;
    rxbuf = malloc(rx_buffer_size(p->max_payload));
    tx = malloc(a->frame_cap);
    cache = malloc(a->frame_cap);
    if (!rxbuf || !tx || !cache) {
        free(rxbuf);
        free(tx);
        free(cache);
        return -1;
    }
    a->rxbuf = rxbuf;
    a->tx = tx;
    a->cache = cache;
    rx_init(&a->rx, rxbuf, rx_buffer_size(p->max_payload), p->max_payload);
    if (p->drv && p->drv->cycles)
        a->caps |= CAP_CYCLE_COUNTER;
    if (p->drv && p->drv->reset_reg)
        a->caps |= CAP_RESET_REGISTER;
    if (p->bitstream_cmd)
        a->caps |= CAP_BITSTREAM_CMD;
    if (p->simulated_memory)
        a->caps |= CAP_SIMULATED_MEMORY;
    a->state = STATE_IDLE;
    a->start_us = mono_us();
    return 0;
}

void agent_counters(const agent_t *a, agent_counters_t *out)
{
    *out = a->c;
    out->frames_ok = a->rx.frames_ok;
    out->crc_errors = a->rx.crc_errors;
    out->resyncs = a->rx.resyncs;
    out->oversize = a->rx.oversize;
    out->garbage_bytes = a->rx.garbage_bytes;
}

/* ---- response payload builders (payload starts at buf) ---- */

static uint32_t ok_prefix(uint8_t *payload)
{
    put_u16(payload, E_OK);
    put_u16(payload + 2, 0);
    return RESP_PREFIX;
}

static uint32_t err_payload(uint8_t *payload, uint16_t code, uint32_t arg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static uint32_t err_payload(uint8_t *payload, uint16_t code, uint32_t arg, const char *fmt, ...)
{
    char text[WIRE_ERR_TEXT_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : ((size_t)n > WIRE_ERR_TEXT_MAX ? WIRE_ERR_TEXT_MAX : (size_t)n);
    put_u16(payload, code);
    put_u16(payload + 2, 0);
    put_u32(payload + 4, arg);
    put_u16(payload + 8, (uint16_t)len);
    memcpy(payload + 10, text, len);
    return RESP_PREFIX + RESP_ERROR_FIXED + (uint32_t)len;
}

static int send_small(agent_t *a, const frame_t *f, uint16_t code, uint32_t arg, const char *text)
{
    uint32_t plen = err_payload(a->small + WIRE_HDR_SIZE, code, arg, "%s", text);
    size_t total = frame_seal(a->small, f->type, WIRE_FLAG_RESPONSE, f->seq, plen);
    return a->p.write(a->p.write_ctx, a->small, total);
}

/* ---- the one-agent lock ---- */

/* A /proc entry's name as a number (a pid, a descriptor), or -1 when it is not one. */
static long proc_number(const char *name)
{
    char *end;
    if (name[0] < '0' || name[0] > '9')
        return -1;
    long v = strtol(name, &end, 10);
    return *end ? -1 : v;
}

/* Whether /proc/PID/fdinfo/FD lists a write lock (an open-file-description lock shows there, under its owner's fd). */
static int fdinfo_has_write_lock(long pid, long fd)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%ld/fdinfo/%ld", pid, fd);
    int f = open(path, O_RDONLY | O_CLOEXEC);
    if (f < 0)
        return 0;
    ssize_t n = read(f, buf, sizeof(buf) - 1);
    close(f);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    for (char *line = strstr(buf, "lock:"); line; line = strstr(line + 5, "lock:")) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        int write_lock = strstr(line, "WRITE") != NULL;
        if (end)
            *end = '\n';
        if (write_lock)
            return 1;
    }
    return 0;
}

/* Who holds the write lock on the file behind fd, for the refusal: "pid N (its command line)". F_OFD_GETLK tells no
 * owner of an open-file-description lock (l_pid is -1), so /proc is searched for the descriptor that holds it. Only on
 * the refusal path, after the wait. */
static void lock_holder(int fd, char *out, size_t len)
{
    snprintf(out, len, "a process this user cannot see in /proc");
    struct stat mine;
    if (fstat(fd, &mine) != 0)
        return;
    DIR *proc = opendir("/proc");
    if (!proc)
        return;
    struct dirent *pe;
    int found = 0;
    while (!found && (pe = readdir(proc)) != NULL) {
        long pid = proc_number(pe->d_name);
        if (pid < 0)
            continue;
        char dir[48];
        snprintf(dir, sizeof(dir), "/proc/%ld/fd", pid);
        DIR *fds = opendir(dir);
        if (!fds)
            continue;
        struct dirent *fe;
        while ((fe = readdir(fds)) != NULL) {
            long other = proc_number(fe->d_name);
            char path[96];
            struct stat st;
            if (other < 0 || (pid == (long)getpid() && other == fd))
                continue; /* not a descriptor, or this agent's own */
            snprintf(path, sizeof(path), "/proc/%ld/fd/%ld", pid, other);
            if (stat(path, &st) != 0 || st.st_dev != mine.st_dev || st.st_ino != mine.st_ino ||
                !fdinfo_has_write_lock(pid, other))
                continue;
            char cmd[64] = "";
            snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
            int c = open(path, O_RDONLY | O_CLOEXEC);
            ssize_t n = c >= 0 ? read(c, cmd, sizeof(cmd) - 1) : -1;
            if (c >= 0)
                close(c);
            n = n < 0 ? 0 : n;
            cmd[n] = '\0';
            for (ssize_t i = 0; i + 1 < n; i++)
                if (cmd[i] == '\0')
                    cmd[i] = ' ';
            const char *base = cmd, *space = strchr(cmd, ' '); /* the program's name without its directory */
            for (const char *c = cmd; *c && (!space || c < space); c++)
                if (*c == '/')
                    base = c + 1;
            if (snprintf(out, len, "pid %ld (%s%s)", pid, base, n == (ssize_t)sizeof(cmd) - 1 ? "..." : "") < 0)
                out[0] = '\0';
            found = 1;
            break;
        }
        closedir(fds);
    }
    closedir(proc);
}

/* Takes the one-agent lock before a request drives the accelerator or writes its memory. Another agent on the same
 * accelerator (one whose connection dropped while it still polls a run, or any other one in the middle of a request)
 * is waited for up to --lock-wait-ms; an idle agent holds nothing. 0, or -1 with the refusal in why. */
static int accel_lock(agent_t *a, const char *what, char *why, size_t whylen)
{
    if (a->lock_fd < 0)
        return 0;
    struct flock whole = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    uint32_t waited_ms = 0;
    while (fcntl(a->lock_fd, F_OFD_SETLK, &whole) != 0) {
        if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
            snprintf(why, whylen, "%s: cannot lock %s: %s", what, a->p.mem_path, strerror(errno));
            return -1;
        }
        if (waited_ms >= a->lock_wait_ms) {
            char holder[112];
            lock_holder(a->lock_fd, holder, sizeof(holder));
            /* the response's text has room for 200 bytes: the log line has the rest */
            int n = snprintf(why, whylen, "%s: accelerator busy for %u ms: %s holds the lock on %s (a run, upload or reset in flight)",
                             what, (unsigned)waited_ms, holder, a->p.mem_path);
            log_msg(LOG_WARN, "%s refused after %u ms: the accelerator behind %s is busy: %s holds its lock in a request "
                    "of its own (a run, an upload or a reset); wait for it, or end that process%s",
                    what, (unsigned)waited_ms, a->p.mem_path, holder, n >= (int)whylen ? " (response text cut)" : "");
            return -1;
        }
        sleep_us(10000);
        waited_ms += 10;
    }
    return 0;
}

static void accel_unlock(agent_t *a)
{
    if (a->lock_fd < 0)
        return;
    struct flock whole = {.l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    (void)fcntl(a->lock_fd, F_OFD_SETLK, &whole);
}

/* ---- handlers: write the response payload at pl, return its length ---- */

static uint32_t h_hello(agent_t *a, const frame_t *f, uint8_t *pl)
{
    if (f->payload_len != 0)
        return err_payload(pl, E_LENGTH, 0, "HELLO takes an empty payload, got %u bytes", f->payload_len);
    uint32_t n = ok_prefix(pl);
    uint8_t *b = pl + n;
    put_u16(b + 0, AGENT_VERSION_MAJOR);
    put_u16(b + 2, AGENT_VERSION_MINOR);
    put_u16(b + 4, AGENT_VERSION_PATCH);
    b[6] = (uint8_t)a->p.target;
    b[7] = a->caps;
    put_u64(b + 8, a->p.arena_size);
    put_u32(b + 16, a->p.insn_capacity);
    put_u32(b + 20, a->p.max_payload);
    for (unsigned t = 0; t < VTA_MEM_TYPES; t++)
        put_u32(b + 24 + 4 * t, a->p.cfg.elem_bytes[t]);
    size_t off = RESP_HELLO_FIXED;
    const char *strs[2] = {a->p.board_id ? a->p.board_id : "", a->p.config_str ? a->p.config_str : ""};
    for (int k = 0; k < 2; k++) {
        size_t len = strlen(strs[k]);
        if (len > 255)
            len = 255;
        put_u16(b + off, (uint16_t)len);
        memcpy(b + off + 2, strs[k], len);
        off += 2 + len;
    }
    return n + (uint32_t)off;
}

static int range_ok(const agent_t *a, uint64_t off, uint64_t len)
{
    return off <= a->p.arena_size && len <= a->p.arena_size - off;
}

static uint32_t h_write(agent_t *a, const frame_t *f, uint8_t *pl)
{
    if (f->payload_len < REQ_WRITE_FIXED)
        return err_payload(pl, E_LENGTH, REQ_WRITE_FIXED, "WRITE payload must be at least %u bytes, got %u",
                           REQ_WRITE_FIXED, f->payload_len);
    uint64_t off = get_u64(f->payload);
    uint32_t len = get_u32(f->payload + 8);
    if (len != f->payload_len - REQ_WRITE_FIXED)
        return err_payload(pl, E_LENGTH, f->payload_len - REQ_WRITE_FIXED,
                           "WRITE length field %u does not match the %u data bytes in the frame", len,
                           f->payload_len - REQ_WRITE_FIXED);
    if (!range_ok(a, off, len))
        return err_payload(pl, E_RANGE, 0, "WRITE [0x%llx, +%u) is outside the arena of %llu bytes",
                           (unsigned long long)off, len, (unsigned long long)a->p.arena_size);
    char why[WIRE_ERR_TEXT_MAX + 1];
    if (accel_lock(a, "WRITE", why, sizeof(why)) != 0)
        return err_payload(pl, E_BUSY, 0, "%s", why);
    dev_write(a->p.arena + off, f->payload + REQ_WRITE_FIXED, len);
    accel_unlock(a);
    return ok_prefix(pl);
}

static uint32_t h_read(agent_t *a, const frame_t *f, uint8_t *pl)
{
    if (f->payload_len != REQ_READ_SIZE)
        return err_payload(pl, E_LENGTH, REQ_READ_SIZE, "READ payload must be %u bytes, got %u", REQ_READ_SIZE,
                           f->payload_len);
    uint64_t off = get_u64(f->payload);
    uint32_t len = get_u32(f->payload + 8);
    uint32_t maxlen = a->p.max_payload - RESP_PREFIX;
    if (len > maxlen)
        return err_payload(pl, E_ARGUMENT, maxlen, "READ length %u exceeds the maximum of %u per request", len,
                           maxlen);
    if (!range_ok(a, off, len))
        return err_payload(pl, E_RANGE, 0, "READ [0x%llx, +%u) is outside the arena of %llu bytes",
                           (unsigned long long)off, len, (unsigned long long)a->p.arena_size);
    uint32_t n = ok_prefix(pl);
    dev_read(pl + n, a->p.arena + off, len);
    return n + len;
}

static uint32_t refuse(agent_t *a, const frame_t *f, uint8_t *pl, uint16_t code, uint32_t arg, const char *text,
                       uint32_t count)
{
    a->c.refused++;
    a->last_status = LAST_REFUSED;
    a->last_error = code;
    a->last_seq = f->seq;
    a->last_count = count;
    a->last_elapsed_us = 0;
    a->last_cycles = 0;
    log_msg(LOG_INFO, "RUN seq %u refused: %s", f->seq, text);
    return err_payload(pl, code, arg, "%s", text);
}

static uint32_t h_run(agent_t *a, const frame_t *f, uint8_t *pl)
{
    char text[WIRE_ERR_TEXT_MAX + 1];
    if (f->payload_len != REQ_RUN_SIZE)
        return err_payload(pl, E_LENGTH, REQ_RUN_SIZE, "RUN payload must be %u bytes, got %u", REQ_RUN_SIZE,
                           f->payload_len);
    uint64_t off = get_u64(f->payload);
    uint32_t count = get_u32(f->payload + 8);
    uint32_t timeout_ms = get_u32(f->payload + 12);
    if (a->state == STATE_HUNG)
        return refuse(a, f, pl, E_HUNG, 0, "accelerator is hung after a timed-out run: RESET first", count);
    if (count == 0)
        return refuse(a, f, pl, E_ARGUMENT, 0, "RUN with an instruction count of 0", count);
    if (timeout_ms == 0 || timeout_ms > RUN_MAX_TIMEOUT_MS) {
        snprintf(text, sizeof(text), "RUN timeout %u ms out of range 1..%u", timeout_ms, RUN_MAX_TIMEOUT_MS);
        return refuse(a, f, pl, E_ARGUMENT, 0, text, count);
    }
    if (count > a->p.insn_capacity) {
        snprintf(text, sizeof(text), "RUN of %u instructions exceeds the instruction capacity %u", count,
                 a->p.insn_capacity);
        return refuse(a, f, pl, E_CAPACITY, a->p.insn_capacity, text, count);
    }
    if (!range_ok(a, off, (uint64_t)count * VTA_INSN_BYTES)) {
        snprintf(text, sizeof(text), "instruction stream [0x%llx, +%llu) is outside the arena of %llu bytes",
                 (unsigned long long)off, (unsigned long long)count * VTA_INSN_BYTES,
                 (unsigned long long)a->p.arena_size);
        return refuse(a, f, pl, E_RANGE, 0, text, count);
    }
    /* the instruction buffer is the accelerator's memory too: prepared under the lock */
    if (accel_lock(a, "RUN", text, sizeof(text)) != 0)
        return refuse(a, f, pl, E_BUSY, 0, text, count);
    insn_error_t ie;
    if (insn_prepare(&a->p.cfg, a->p.arena + off, a->p.insn_buf, count, a->p.arena_size, a->p.arena_bus, &ie) != 0) {
        accel_unlock(a);
        return refuse(a, f, pl, ie.code, ie.index, ie.text, count);
    }
    if (!a->p.drv) {
        accel_unlock(a);
        return refuse(a, f, pl, E_INTERNAL, 0, "no accelerator driver attached", count);
    }

    run_result_t r;
    drv_run(a->p.drv, (uint32_t)a->p.insn_bus, count, timeout_ms, &r);
    accel_unlock(a); /* done, or timed out with the modules stopped */
    a->c.runs++;
    a->last_seq = f->seq;
    a->last_count = count;
    a->last_elapsed_us = r.elapsed_us;
    a->last_cycles = r.cycles;
    a->last_error = 0;
    if (r.status == RUN_DONE) {
        a->last_status = LAST_DONE;
        log_msg(LOG_DEBUG, "RUN seq %u: %u insns done in %llu us", f->seq, count, (unsigned long long)r.elapsed_us);
    } else {
        a->last_status = LAST_TIMEOUT;
        a->c.timeouts++;
        a->state = STATE_HUNG;
        log_msg(LOG_WARN, "RUN seq %u: no done after %u ms: accelerator hung", f->seq, timeout_ms);
    }
    uint32_t n = ok_prefix(pl);
    uint8_t *b = pl + n;
    b[0] = (uint8_t)r.status;
    b[1] = b[2] = b[3] = 0;
    put_u32(b + 4, count);
    put_u64(b + 8, r.elapsed_us);
    put_u64(b + 16, r.cycles);
    return n + RESP_RUN_SIZE;
}

static uint32_t reset_locked(agent_t *a, uint8_t kind, uint8_t *pl);

static uint32_t h_reset(agent_t *a, const frame_t *f, uint8_t *pl)
{
    if (f->payload_len != REQ_RESET_SIZE)
        return err_payload(pl, E_LENGTH, REQ_RESET_SIZE, "RESET payload must be %u bytes, got %u", REQ_RESET_SIZE,
                           f->payload_len);
    uint8_t kind = f->payload[0];
    if (kind > RESET_HARD || f->payload[1] || f->payload[2] || f->payload[3])
        return err_payload(pl, E_ARGUMENT, kind, "RESET kind %u unknown (0 soft, 1 hard; reserved bytes 0)", kind);
    char why[WIRE_ERR_TEXT_MAX + 1];
    if (accel_lock(a, "RESET", why, sizeof(why)) != 0)
        return err_payload(pl, E_BUSY, 0, "%s", why);
    uint32_t n = reset_locked(a, kind, pl);
    accel_unlock(a);
    return n;
}

/* RESET with the one-agent lock held: a pulse or a bitstream reload must not cut into another agent's run. */
static uint32_t reset_locked(agent_t *a, uint8_t kind, uint8_t *pl)
{
    uint64_t t0 = mono_us();
    uint8_t actions = 0;
    int32_t bs_status = 0;
    if (a->p.drv && drv_soft_reset(a->p.drv))
        actions |= RESET_ACT_PL_PULSED;
    a->state = STATE_IDLE;
    if (kind == RESET_HARD) {
        a->c.hard_resets++;
        dev_zero(a->p.arena, (size_t)a->p.arena_size);
        dev_zero(a->p.insn_buf, (size_t)a->p.insn_capacity * VTA_INSN_BYTES);
        actions |= RESET_ACT_ARENA_ZEROED;
        if (a->p.bitstream_cmd) {
            actions |= RESET_ACT_BITSTREAM_RUN;
            log_msg(LOG_INFO, "hard reset: running bitstream command");
            bs_status = run_command(a->p.bitstream_cmd, a->p.bitstream_timeout_ms);
            if (bs_status != 0) {
                a->state = STATE_HUNG;
                log_msg(LOG_ERROR, "hard reset: bitstream command failed (%d)", (int)bs_status);
                if (bs_status == -2)
                    return err_payload(pl, E_RESET_FAILED, (uint32_t)bs_status,
                                       "bitstream command timed out after %u ms and was killed",
                                       a->p.bitstream_timeout_ms);
                if (bs_status == -1)
                    return err_payload(pl, E_RESET_FAILED, (uint32_t)bs_status, "bitstream command could not be started");
                return err_payload(pl, E_RESET_FAILED, (uint32_t)bs_status, "bitstream command exited with status %d",
                                   (int)bs_status);
            }
        }
    } else {
        a->c.soft_resets++;
    }
    log_msg(LOG_INFO, "%s reset done (PL reset %s)", kind ? "hard" : "soft",
            (actions & RESET_ACT_PL_PULSED) ? "pulsed" : "not configured");
    uint32_t n = ok_prefix(pl);
    uint8_t *b = pl + n;
    b[0] = kind;
    b[1] = actions;
    put_u16(b + 2, 0);
    put_u32(b + 4, (uint32_t)bs_status);
    put_u64(b + 8, mono_us() - t0);
    return n + RESP_RESET_SIZE;
}

static uint32_t h_status(agent_t *a, const frame_t *f, uint8_t *pl)
{
    if (f->payload_len != 0)
        return err_payload(pl, E_LENGTH, 0, "STATUS takes an empty payload, got %u bytes", f->payload_len);
    uint32_t n = ok_prefix(pl);
    uint8_t *b = pl + n;
    memset(b, 0, RESP_STATUS_SIZE);
    b[0] = (uint8_t)a->state;
    b[1] = (uint8_t)a->last_status;
    put_u16(b + 2, a->last_error);
    put_u32(b + 4, a->last_seq);
    put_u32(b + 8, a->last_count);
    put_u64(b + 16, a->last_elapsed_us);
    put_u64(b + 24, a->last_cycles);
    put_u64(b + 32, (mono_us() - a->start_us) / 1000u);
    agent_counters_t c;
    agent_counters(a, &c);
    const uint64_t v[12] = {c.frames_ok, c.crc_errors, c.resyncs,   c.duplicates,    c.runs,        c.timeouts,
                            c.refused,   c.oversize,   c.garbage_bytes, c.soft_resets, c.hard_resets, c.ignored};
    for (int i = 0; i < 12; i++)
        put_u64(b + 40 + 8 * i, v[i]);
    return n + RESP_STATUS_SIZE;
}

static int handle_frame(agent_t *a, const frame_t *f)
{
    if (f->flags & WIRE_FLAG_RESPONSE) {
        a->c.ignored++; /* a response (e.g. an echo) is never executed */
        return 0;
    }
    if (f->version != WIRE_VERSION) {
        char t[96];
        snprintf(t, sizeof(t), "protocol version %u not supported; this agent speaks version %u", f->version,
                 WIRE_VERSION);
        return send_small(a, f, E_VERSION, WIRE_VERSION, t);
    }
    if (f->flags != 0 || f->reserved != 0)
        return send_small(a, f, E_HEADER, 0, "reserved header bits must be 0");
    if (a->cache_valid && f->seq == a->cache_seq && f->type == a->cache_type && f->crc == a->cache_crc) {
        a->c.duplicates++;
        log_msg(LOG_DEBUG, "seq %u is a retry of the last request: replaying its response", f->seq);
        return a->p.write(a->p.write_ctx, a->cache, a->cache_len);
    }
    uint8_t *pl = a->tx + WIRE_HDR_SIZE;
    uint32_t plen;
    switch (f->type) {
    case MSG_HELLO: plen = h_hello(a, f, pl); break;
    case MSG_WRITE: plen = h_write(a, f, pl); break;
    case MSG_READ: plen = h_read(a, f, pl); break;
    case MSG_RUN: plen = h_run(a, f, pl); break;
    case MSG_RESET: plen = h_reset(a, f, pl); break;
    case MSG_STATUS: plen = h_status(a, f, pl); break;
    default: plen = err_payload(pl, E_TYPE, f->type, "unknown message type 0x%02x", f->type); break;
    }
    size_t total = frame_seal(a->tx, f->type, WIRE_FLAG_RESPONSE, f->seq, plen);
    uint8_t *t = a->cache; /* the response just built becomes the replay cache: swap, no copy */
    a->cache = a->tx;
    a->tx = t;
    a->cache_len = total;
    a->cache_valid = 1;
    a->cache_seq = f->seq;
    a->cache_type = f->type;
    a->cache_crc = f->crc;
    return a->p.write(a->p.write_ctx, a->cache, a->cache_len);
}

int agent_pump(agent_t *a)
{
    for (;;) {
        frame_t f;
        char t[96];
        switch (rx_poll(&a->rx, &f)) {
        case RX_NEED_MORE: return 0;
        case RX_FRAME:
            if (handle_frame(a, &f) != 0)
                return -1;
            break;
        case RX_BAD_CRC:
            log_msg(LOG_DEBUG, "seq %u: frame CRC mismatch", f.seq);
            if (!(f.flags & WIRE_FLAG_RESPONSE) && send_small(a, &f, E_CRC, 0, "frame CRC mismatch: resend") != 0)
                return -1;
            break;
        case RX_OVERSIZE:
            snprintf(t, sizeof(t), "payload of %u bytes exceeds the maximum of %u", f.payload_len, a->p.max_payload);
            log_msg(LOG_WARN, "seq %u: %s", f.seq, t);
            if (!(f.flags & WIRE_FLAG_RESPONSE) && send_small(a, &f, E_TOO_LARGE, a->p.max_payload, t) != 0)
                return -1;
            break;
        }
    }
}

/* ---------------- setup from the command line ---------------- */

static int read_sysfs_u64(const char *name, const char *attr, uint64_t *out)
{
    static const char *const classes[] = {"/sys/class/u-dma-buf", "/sys/class/udmabuf"};
    for (int k = 0; k < 2; k++) {
        char path[256], buf[64];
        snprintf(path, sizeof(path), "%s/%s/%s", classes[k], name, attr);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        char *end;
        errno = 0;
        unsigned long long v = strtoull(buf, &end, 0);
        if (errno || end == buf)
            continue;
        *out = v;
        return 0;
    }
    return -1;
}

#define SETUP_FAIL(...)                                                                                                \
    do {                                                                                                               \
        snprintf(err, errlen, __VA_ARGS__);                                                                            \
        goto fail;                                                                                                     \
    } while (0)

int agent_open(agent_t *a, const options_t *o, agent_write_fn write, void *write_ctx, char *err, size_t errlen)
{
    agent_params_t p;
    driver_t drv;
    physmem_t pm;
    int pm_open = 0, dma_fd = -1;
    void *dma_map = NULL;
    size_t dma_map_len = 0;
    memset(&p, 0, sizeof(p));
    memset(&drv, 0, sizeof(drv));
    memset(&pm, 0, sizeof(pm));
    pm.fd = -1;

    if (vta_config_parse(o->config, &p.cfg, err, errlen) != 0)
        return -1;
    long pgl = sysconf(_SC_PAGESIZE);
    uint64_t page = pgl > 0 ? (uint64_t)pgl : 4096u;
    const int hls = o->target != TARGET_DE10NANO;
    uint64_t base[4];
    uint64_t def = (o->target == TARGET_ULTRA96 || o->target == TARGET_ZCU104) ? 0xA0000000u : 0x43C00000u;
    for (int k = 0; k < 4; k++)
        base[k] = o->base_set[k] ? o->base[k] : def + 0x1000u * (uint64_t)k;
    uint64_t vcr = o->vcr_base_set ? o->vcr_base : 0xFF220000u;
    uint64_t dev_off = o->dev_offset_set ? o->dev_offset : (o->target == TARGET_DE10NANO ? 0x80000000u : 0u);
    int have_cycle = o->cycle_set || !hls;
    uint64_t cycle_addr = o->cycle_set ? o->cycle_addr : vcr + VCR_CYCLES;
    int have_reset = 0, have_unlock = 0;
    uint64_t reset_addr = 0, unlock_addr = 0;
    uint32_t r_assert = 0, r_deassert = 0, unlock_val = 0;
    if (o->reset_mode == RESET_REG_SET) {
        have_reset = 1;
        reset_addr = o->reset_reg;
        r_assert = o->reset_assert;
        r_deassert = o->reset_deassert;
        have_unlock = o->unlock_set;
        unlock_addr = o->unlock_addr;
        unlock_val = o->unlock_value;
    } else if (o->reset_mode == RESET_REG_DEFAULT && o->target == TARGET_PYNQ) {
        /* Zynq-7000 SLCR: unlock, FPGA_RST_CTRL FCLK resets */
        have_reset = 1;
        reset_addr = 0xF8000240u;
        r_assert = o->reset_assert_set ? o->reset_assert : 0xFu;
        r_deassert = o->reset_deassert_set ? o->reset_deassert : 0x0u;
        have_unlock = 1;
        unlock_addr = o->unlock_set ? o->unlock_addr : 0xF8000008u;
        unlock_val = o->unlock_set ? o->unlock_value : 0xDF0Du;
    }

    /* DMA region */
    uint64_t dma_phys = o->dma_phys, dma_size = o->dma_size;
    if (o->udmabuf) {
        const char *name = strrchr(o->udmabuf, '/');
        name = name ? name + 1 : o->udmabuf;
        if (read_sysfs_u64(name, "phys_addr", &dma_phys) != 0 || read_sysfs_u64(name, "size", &dma_size) != 0)
            SETUP_FAIL("u-dma-buf '%s': cannot read phys_addr/size under /sys/class/u-dma-buf/%s (is the module loaded?)",
                       o->udmabuf, name);
    }
    if (dma_phys % page)
        SETUP_FAIL("DMA region physical address 0x%llx is not page aligned", (unsigned long long)dma_phys);
    uint64_t insn_bytes = ((uint64_t)o->insn_capacity * VTA_INSN_BYTES + page - 1u) / page * page;
    if (dma_size < insn_bytes + page)
        SETUP_FAIL("DMA region of %llu bytes is too small for %u instructions (%llu bytes) plus an arena",
                   (unsigned long long)dma_size, o->insn_capacity, (unsigned long long)insn_bytes);
    uint64_t arena_size = (dma_size - insn_bytes) / page * page;
    uint64_t arena_bus = dma_phys + dev_off;
    uint64_t insn_bus = arena_bus + arena_size;
    if (insn_bus + insn_bytes > 0x100000000ull)
        SETUP_FAIL("DMA region bus addresses 0x%llx..0x%llx exceed 32 bits (VTA addresses are 32-bit)",
                   (unsigned long long)arena_bus, (unsigned long long)(insn_bus + insn_bytes));
    for (unsigned t = 0; t < VTA_MEM_TYPES; t++)
        if (arena_bus % p.cfg.elem_bytes[t])
            SETUP_FAIL("arena bus address 0x%llx is not a multiple of the %u-byte element size of memory type %u",
                       (unsigned long long)arena_bus, p.cfg.elem_bytes[t], t);

    /* the address space */
    uint64_t need = 0;
#define NEED(addr, len)                                                                                                \
    do {                                                                                                               \
        uint64_t e_ = ((uint64_t)(addr) + (len) + page - 1u) / page * page;                                            \
        if (e_ > need)                                                                                                 \
            need = e_;                                                                                                 \
    } while (0)
    if (hls)
        for (int k = 0; k < 4; k++)
            NEED(base[k], 0x1000u);
    else
        NEED(vcr, 0x1000u);
    if (have_cycle)
        NEED(cycle_addr, 4);
    if (have_reset)
        NEED(reset_addr, 4);
    if (have_unlock)
        NEED(unlock_addr, 4);
    if (!o->udmabuf)
        NEED(dma_phys, dma_size);
#undef NEED
    if (physmem_open(&pm, o->mem_path, o->create_mem, need, err, errlen) != 0)
        goto fail;
    pm_open = 1;
    /* One agent drives an accelerator at a time. After a dropped connection the earlier agent may still be polling a
     * run (it reads no input meanwhile); when its deadline passes it stops the modules, which would cut into this
     * agent's runs. So every request that drives the accelerator or writes its memory takes a lock first (see
     * accel_lock), and waits for such a request of another agent to end. The lock is an open-file-description write
     * lock over the whole file (fcntl, not flock: other programs that only map the memory, such as a co-simulated
     * device or .NET's FileStream with its shared flock, are not in the way), held only while the request is handled:
     * an idle agent (a serial-line agent waiting for its host) is in no one's way. Checked here that it can be taken. */
    {
        struct flock probe = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
        if (fcntl(pm.fd, F_OFD_GETLK, &probe) != 0)
            SETUP_FAIL("cannot lock %s: %s", o->mem_path, strerror(errno));
    }
    if (hls) {
        if (!(drv.fetch = physmem_reg(&pm, base[0], err, errlen)) || !(drv.load = physmem_reg(&pm, base[1], err, errlen)) ||
            !(drv.compute = physmem_reg(&pm, base[2], err, errlen)) || !(drv.store = physmem_reg(&pm, base[3], err, errlen)))
            goto fail;
    } else if (!(drv.vcr = physmem_reg(&pm, vcr, err, errlen))) {
        goto fail;
    }
    if (have_cycle && !(drv.cycles = physmem_reg(&pm, cycle_addr, err, errlen)))
        goto fail;
    if (have_reset && !(drv.reset_reg = physmem_reg(&pm, reset_addr, err, errlen)))
        goto fail;
    if (have_unlock && !(drv.unlock_reg = physmem_reg(&pm, unlock_addr, err, errlen)))
        goto fail;
    drv.target = o->target;
    drv.reset_assert = r_assert;
    drv.reset_deassert = r_deassert;
    drv.unlock_value = unlock_val;
    drv.reset_hold_us = o->reset_hold_ms * 1000u;
    drv.poll_us = o->poll_us;

    volatile uint8_t *dma;
    if (o->udmabuf) {
        char dev[128];
        snprintf(dev, sizeof(dev), "/dev/%s", strrchr(o->udmabuf, '/') ? strrchr(o->udmabuf, '/') + 1 : o->udmabuf);
        dma_fd = open(dev, O_RDWR | O_SYNC | O_CLOEXEC); /* O_SYNC: uncached mapping, no cache maintenance */
        if (dma_fd < 0)
            SETUP_FAIL("cannot open %s: %s", dev, strerror(errno));
        dma_map_len = (size_t)dma_size;
        dma_map = mmap(NULL, dma_map_len, PROT_READ | PROT_WRITE, MAP_SHARED, dma_fd, 0);
        if (dma_map == MAP_FAILED) {
            dma_map = NULL;
            SETUP_FAIL("mmap of %s failed: %s", dev, strerror(errno));
        }
        dma = (volatile uint8_t *)dma_map;
    } else if (!(dma = physmem_map(&pm, dma_phys, (size_t)dma_size, err, errlen))) {
        goto fail;
    }

    p.config_str = o->config;
    p.board_id = o->board_id;
    p.mem_path = o->mem_path;
    p.target = o->target;
    p.max_payload = o->max_payload;
    p.arena = dma;
    p.arena_size = arena_size;
    p.arena_bus = arena_bus;
    p.insn_buf = dma + arena_size;
    p.insn_capacity = o->insn_capacity;
    p.insn_bus = insn_bus;
    p.bitstream_cmd = o->bitstream_cmd;
    p.bitstream_timeout_ms = o->bitstream_timeout_ms;
    p.simulated_memory = pm.is_regular;
    p.write = write;
    p.write_ctx = write_ctx;
    p.drv = NULL; /* set below to the copy inside a */
    if (agent_init(a, &p) != 0)
        SETUP_FAIL("out of memory for %u-byte frame buffers", o->max_payload);
    a->drv_storage = drv;
    a->p.drv = &a->drv_storage;
    if (drv.cycles)
        a->caps |= CAP_CYCLE_COUNTER;
    if (drv.reset_reg)
        a->caps |= CAP_RESET_REGISTER;
    a->pm = pm;
    a->pm_open = 1;
    a->lock_fd = pm.fd;
    a->lock_wait_ms = o->lock_wait_ms;
    a->dma_fd = dma_fd;
    a->dma_map = dma_map;
    a->dma_map_len = dma_map_len;
    log_msg(LOG_INFO,
            "board %s, target %s, config %s; memory %s%s; arena %llu bytes at bus 0x%llx, %u instructions at bus 0x%llx",
            o->board_id, target_name(o->target), o->config, o->mem_path, pm.is_regular ? " (stand-in file)" : "",
            (unsigned long long)arena_size, (unsigned long long)arena_bus, o->insn_capacity,
            (unsigned long long)insn_bus);
    return 0;
fail:
    if (dma_map)
        munmap(dma_map, dma_map_len);
    if (dma_fd >= 0)
        close(dma_fd);
    if (pm_open)
        physmem_close(&pm);
    return -1;
}

void agent_close(agent_t *a)
{
    free(a->rxbuf);
    free(a->tx);
    free(a->cache);
    a->rxbuf = a->tx = a->cache = NULL;
    if (a->dma_map)
        munmap(a->dma_map, a->dma_map_len);
    if (a->dma_fd >= 0)
        close(a->dma_fd);
    if (a->pm_open)
        physmem_close(&a->pm);
    a->pm_open = 0;
    a->dma_map = NULL;
    a->dma_fd = -1;
}
