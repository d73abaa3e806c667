#!/usr/bin/env bash
# hiltuner bench link on the co-simulated board through every link, side by side in one run: the agent as a local
# process, over SSH (a private sshd on loopback) and over a serial line (a socat pty pair), all against one
# co-simulation device (hiltuner device). Usage: tools/bench-link.sh [CONFIG] [extra bench link options]
set -euo pipefail
config=${1:-Release}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d)
chmod 755 "$work"
shm=/dev/shm/hiltuner-bench-link-$$.mem
board_id=bench-link
source tools/cosim-lib.sh
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  tools/sshd-stop.sh "$work/sshd" 2>/dev/null || true
  tools/pty-stop.sh "$work/pty" 2>/dev/null || true
  rm -rf "$work" "$shm"
}
trap cleanup EXIT

cosim_device_start "$work/device.log" || exit 1
pids+=("$device_pid")
cosim_sshd_start "$work/sshd"
cosim_pty_start "$work/pty"
cosim_tty_agent_start "${pty[PTY_BOARD]}" "$work/tty-agent.log"
pids+=("$tty_agent_pid")

# The board files: sim.json with a link section each.
cosim_board_file process "$(cosim_process_link)"
cosim_board_file ssh "$(cosim_ssh_link)"
cosim_board_file serial "$(cosim_serial_link "${pty[PTY_HOST]}")"

"${hiltuner[@]}" bench link --board "$work/process.json" --board "$work/ssh.json" --board "$work/serial.json" "$@" 2>"$work/bench.log" \
  || { tail -20 "$work/bench.log" >&2; exit 1; }
