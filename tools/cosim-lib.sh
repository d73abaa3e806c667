# Shared set-up of a co-simulated board served over the three links, sourced by tools/bench-link.sh and
# tools/fault-campaign.sh (bash; the caller sets -euo pipefail). Before sourcing, set:
#   root (the repository), config (Release or Debug), work (a scratch directory, mode 755), board_id, shm (the
#   shared memory file).
# It defines hiltuner (the command, an array), agent (the host build of the C agent, built when missing),
# agent_options (the agent's options after its transport) and the functions below.

hiltuner=(dotnet "$root/src/HilTuner.Cli/bin/$config/net10.0/hiltuner.dll")
agent="$root/firmware-stubs/build/host/vta-agent"
[[ -x $agent ]] || make -s -C "$root/firmware-stubs" host

agent_options=(--target pynq --config 1x16_i8w8a32_15_15_18_17 --board-id "$board_id" --mem "$shm"
  --dma-phys 0x10000000 --dma-size 0x8000000 --insn-capacity 2097152 --cycle-counter 0x43C10000 --reset-hold-ms 20
  --log-level warn)

# cosim_device_start LOG: starts `hiltuner device` on $shm in the background, waits until it is ready; its pid in
# device_pid.
cosim_device_start() {
  "${hiltuner[@]}" device --shm "$shm" --board "$root/boards/sim.json" </dev/null >/dev/null 2>>"$1" &
  device_pid=$!
  local ready_before
  ready_before=$(grep -c "device: ready" "$1" 2>/dev/null || true)
  for _ in $(seq 1 400); do
    (($(grep -c "device: ready" "$1" 2>/dev/null || true) > ready_before)) && return 0
    kill -0 "$device_pid" 2>/dev/null || break
    sleep 0.05
  done
  cat "$1" >&2
  return 1
}

# cosim_sshd_start DIR / cosim_pty_start DIR: a private sshd (values in the array sshd) and a socat pty pair (pty).
declare -A sshd pty
cosim_sshd_start() { while IFS='=' read -r key value; do sshd[$key]=$value; done < <("$root/tools/sshd-start.sh" "$1"); }
cosim_pty_start() { while IFS='=' read -r key value; do pty[$key]=$value; done < <("$root/tools/pty-pair.sh" "$1"); }

# cosim_tty_agent_start TTY LOG: the agent on the board's end of a serial line, as a board's service manager starts
# it; its pid in tty_agent_pid.
cosim_tty_agent_start() {
  "$agent" --tty "$1" --baud 115200 "${agent_options[@]}" </dev/null >/dev/null 2>>"$2" &
  tty_agent_pid=$!
}

# cosim_board_file NAME LINK-JSON: writes $work/NAME.json, boards/sim.json with that link section.
cosim_board_file() {
  python3 - "$1" "$2" "$work/$1.json" "$root/boards/sim.json" <<'PY'
import json, sys
board = json.load(open(sys.argv[4]))
board["name"] = sys.argv[1]
board["link"] = json.loads(sys.argv[2])
json.dump(board, open(sys.argv[3], "w"), indent=2)
PY
}

# The link sections (extra JSON members for each, e.g. '"request_timeout_ms": 3000', in $1).
cosim_process_link() {
  local command_json
  command_json=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$agent" --stdio "${agent_options[@]}")
  echo "{\"kind\": \"process\", \"command\": $command_json, \"watchdog_floor_ms\": 3000${1:+, $1}}"
}
cosim_ssh_link() {
  python3 -c 'import json,sys; link = {"kind": "ssh", "host": "127.0.0.1", "port": int(sys.argv[2]), "user": sys.argv[3], "key": sys.argv[4], "host_key_sha256": sys.argv[5], "agent": " ".join(sys.argv[6:]), "watchdog_floor_ms": 3000}; link.update(json.loads("{" + sys.argv[1] + "}")); print(json.dumps(link))' \
    "${1:-}" "${sshd[SSHD_PORT]}" "${sshd[SSHD_USER]}" "${sshd[SSHD_KEY]}" "${sshd[SSHD_HOST_KEY_SHA256]}" "$agent" --stdio "${agent_options[@]}"
}
cosim_serial_link() { # DEVICE [EXTRA]
  echo "{\"kind\": \"serial\", \"device\": \"$1\", \"baud\": 115200, \"watchdog_floor_ms\": 3000${2:+, $2}}"
}
