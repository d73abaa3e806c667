#!/usr/bin/env bash
# hiltuner bench link on the co-simulated board through every link, side by side in one run: the agent as a local
# process, over SSH (a private sshd on loopback) and over a serial line (a socat pty pair), all against one
# co-simulation device (hiltuner device). Usage: tools/bench-link.sh [CONFIG] [extra bench link options]
set -euo pipefail
config=${1:-Release}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
hiltuner=(dotnet "src/HilTuner.Cli/bin/$config/net10.0/hiltuner.dll")
agent="$root/firmware-stubs/build/host/vta-agent"
[[ -x $agent ]] || make -s -C firmware-stubs host

work=$(mktemp -d)
chmod 755 "$work"
shm=/dev/shm/hiltuner-bench-link-$$.mem
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  tools/sshd-stop.sh "$work/sshd" 2>/dev/null || true
  tools/pty-stop.sh "$work/pty" 2>/dev/null || true
  rm -rf "$work" "$shm"
}
trap cleanup EXIT

"${hiltuner[@]}" device --shm "$shm" --board boards/sim.json 2>"$work/device.log" &
pids+=($!)
for _ in $(seq 1 200); do grep -q "device: ready" "$work/device.log" 2>/dev/null && break; sleep 0.05; done
grep -q "device: ready" "$work/device.log" || { cat "$work/device.log" >&2; exit 1; }

options=(--target pynq --config 1x16_i8w8a32_15_15_18_17 --board-id bench-link --mem "$shm" --dma-phys 0x10000000
  --dma-size 0x8000000 --insn-capacity 2097152 --cycle-counter 0x43C10000 --reset-hold-ms 2 --log-level warn)

declare -A sshd pty
while IFS='=' read -r key value; do sshd[$key]=$value; done < <(tools/sshd-start.sh "$work/sshd")
while IFS='=' read -r key value; do pty[$key]=$value; done < <(tools/pty-pair.sh "$work/pty")
"$agent" --tty "${pty[PTY_BOARD]}" --baud 115200 "${options[@]}" 2>"$work/tty-agent.log" &
pids+=($!)

# The board files: sim.json with a link section each.
board_file() { # NAME LINK-JSON
  python3 - "$1" "$2" "$work/$1.json" <<'PY'
import json, sys
board = json.load(open("boards/sim.json"))
board["name"] = sys.argv[1]
board["link"] = json.loads(sys.argv[2])
json.dump(board, open(sys.argv[3], "w"), indent=2)
PY
}
command_json=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$agent" --stdio "${options[@]}")
board_file process "{\"kind\": \"process\", \"command\": $command_json, \"watchdog_floor_ms\": 3000}"
board_file ssh "$(python3 -c 'import json,sys; print(json.dumps({"kind": "ssh", "host": "127.0.0.1", "port": int(sys.argv[1]), "user": sys.argv[2], "key": sys.argv[3], "host_key_sha256": sys.argv[4], "agent": " ".join(sys.argv[5:]), "watchdog_floor_ms": 3000}))' \
  "${sshd[SSHD_PORT]}" "${sshd[SSHD_USER]}" "${sshd[SSHD_KEY]}" "${sshd[SSHD_HOST_KEY_SHA256]}" "$agent" --stdio "${options[@]}")"
board_file serial "{\"kind\": \"serial\", \"device\": \"${pty[PTY_HOST]}\", \"baud\": 115200, \"watchdog_floor_ms\": 3000}"

"${hiltuner[@]}" bench link --board "$work/process.json" --board "$work/ssh.json" --board "$work/serial.json" "$@" 2>"$work/bench.log" \
  || { tail -20 "$work/bench.log" >&2; exit 1; }
