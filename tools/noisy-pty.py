#!/usr/bin/env python3
"""A pty pair with a faulty line between its ends, for tools/fault-campaign.sh: DIR/host (the host's serial device)
and DIR/board (where the agent runs with --tty), both raw, relayed byte for byte until told on the fifo DIR/control
(one command a line) to damage the line:
  corrupt to-agent|from-agent N   flip one bit in each of the next N bytes going that way
  drop to-agent|from-agent N      drop the next N bytes going that way
  cut SECONDS                     drop everything both ways for that long (a cable pulled and plugged back)
What it did goes to stderr (DIR/relay.log when started by the campaign). Once both ends exist it prints
PTY_HOST=DIR/host, PTY_BOARD=DIR/board and PTY_PID=… on stdout and closes it. Bytes a side does not take within 2 s
(nobody reading it) are dropped, as on a real line, and logged. Usage: tools/noisy-pty.py DIR"""
import errno
import os
import select
import sys
import time
import tty

directory = os.path.abspath(sys.argv[1])
os.makedirs(directory, exist_ok=True)
ends = {}
for name in ("host", "board"):
    master, slave = os.openpty()
    tty.setraw(slave)
    os.set_blocking(master, False)
    link = os.path.join(directory, name)
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(os.ttyname(slave), link)
    # The relay keeps the slave open too, so the master never reads EIO while the end's user is away.
    ends[name] = (master, slave)
control_path = os.path.join(directory, "control")
if os.path.lexists(control_path):
    os.unlink(control_path)
os.mkfifo(control_path)
control = os.open(control_path, os.O_RDWR | os.O_NONBLOCK)
print(f"PTY_HOST={directory}/host\nPTY_BOARD={directory}/board\nPTY_PID={os.getpid()}", flush=True)
sys.stdout.close()

faults = {"to-agent": {"corrupt": 0, "drop": 0}, "from-agent": {"corrupt": 0, "drop": 0}}
cut_until = 0.0
totals = {"corrupted": 0, "dropped": 0, "cut": 0, "unread": 0}
pending = b""


def log(message):
    print(f"relay: {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def command(line):
    global cut_until
    words = line.split()
    try:
        if words[0] == "cut":
            cut_until = time.monotonic() + float(words[1])
        elif words[0] in ("corrupt", "drop") and words[1] in faults:
            faults[words[1]][words[0]] += int(words[2])
        else:
            raise ValueError
        log(f"fault: {line}")
    except (IndexError, ValueError):
        log(f"unknown command: {line!r}")


def damage(data, direction):
    global cut_until
    if time.monotonic() < cut_until:
        totals["cut"] += len(data)
        return b""
    fault = faults[direction]
    if fault["drop"]:
        n = min(fault["drop"], len(data))
        fault["drop"] -= n
        totals["dropped"] += n
        data = data[n:]
    if fault["corrupt"] and data:
        data = bytearray(data)
        n = min(fault["corrupt"], len(data))
        for i in range(n):
            data[i] ^= 1 << ((i * 5 + 3) % 8)
        fault["corrupt"] -= n
        totals["corrupted"] += n
        data = bytes(data)
    return data


def send(fd, data):
    # A reader that is only slow (the agent busy with a run) is waited for, up to 2 s, as socat would; only bytes no
    # one takes are dropped (a tuner killed, the next not started yet), so no fault is made that was not commanded.
    deadline = time.monotonic() + 2.0
    while data:
        try:
            data = data[os.write(fd, data):]
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.EIO):
                raise
            if e.errno == errno.EIO or time.monotonic() >= deadline:
                totals["unread"] += len(data)
                log(f"{len(data)} bytes nobody read: dropped ({totals['unread']} in all)")
                return
            select.select([], [fd], [], 0.05)


routes = {ends["host"][0]: (ends["board"][0], "to-agent"), ends["board"][0]: (ends["host"][0], "from-agent")}
while True:
    readable, _, _ = select.select([*routes, control], [], [], 1.0)
    for fd in readable:
        if fd == control:
            pending += os.read(control, 4096)
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                if line.strip():
                    command(line.decode(errors="replace").strip())
            continue
        try:
            data = os.read(fd, 65536)
        except OSError as e:
            if e.errno in (errno.EAGAIN, errno.EIO):
                continue
            raise
        target, direction = routes[fd]
        send(target, damage(data, direction))
