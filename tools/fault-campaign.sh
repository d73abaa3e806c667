#!/usr/bin/env bash
# A fault campaign through the three links of a co-simulated board (hiltuner device + the real C agent, as
# tools/bench-link.sh serves it): for each link (process, ssh, serial) and run, `hiltuner tune --target board` while
# an injector, on a schedule drawn from a seed, does one fault per attempt — kill -9 the agent; kill -9 or
# SIGSTOP/SIGCONT the device; kill the SSH session's sshd processes; corrupt, drop or cut the serial line's bytes (a
# relay between the pty ends, tools/noisy-pty.py); kill -9 or SIGINT the tuner — then restarts what was killed and
# resumes (--resume) until the run completes (exit 0). Every completed log is then compared with the simulator's log
# of the same tuner, seed and trials (tools/fault-compare.py): records, lost, duplicated, re-measured (unattributed
# board failures measured again), charged to a configuration that is fine, crashed runs. Exits 1 when any of lost,
# duplicated, wrongly charged or crashed is not zero.
# Usage: tools/fault-campaign.sh [CONFIG] [--runs N] [--seconds S] [--faults F] [--seed N] [--links L,L]
#          [--workload W] [--tuner T] [--trials N] [--keep DIR]
#   --runs N      runs per link (default 2)          --seconds S  the longest delay before a fault (default 3)
#   --faults F    faults per run (default 3)         --seed N     the schedule's seed (default 1)
#   --links       process,ssh,serial (default all)  --workload/--tuner/--trials: what is tuned (resnet18.C10,
#   --keep DIR    keep the logs there                  random, 300; the tuner's seed is 7)
set -euo pipefail
config=Release
[[ ${1:-} == --* || -z ${1:-} ]] || { config=$1; shift; }
runs=2 seconds=3 faults_per_run=3 seed=1 links=process,ssh,serial workload=resnet18.C10 tuner=random trials=300 keep=
while (($#)); do
  case $1 in
    --runs) runs=$2 ;;
    --seconds) seconds=$2 ;;
    --faults) faults_per_run=$2 ;;
    --seed) seed=$2 ;;
    --links) links=$2 ;;
    --workload) workload=$2 ;;
    --tuner) tuner=$2 ;;
    --trials) trials=$2 ;;
    --keep) keep=$2 ;;
    *) echo "fault-campaign: unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
  shift 2 || { echo "fault-campaign: $1 needs a value" >&2; exit 2; }
done
tuner_seed=7
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[[ -f src/HilTuner.Cli/bin/$config/net10.0/hiltuner.dll ]] || { echo "fault-campaign: build first (make build CONFIG=$config)" >&2; exit 2; }

work=$(mktemp -d)
chmod 755 "$work"
shm=/dev/shm/hiltuner-faults-$$.mem
board_id=faults-$$
source tools/cosim-lib.sh
relay_pid=
cleanup() {
  [[ -n ${tune_pid:-} ]] && kill -9 "$tune_pid" 2>/dev/null
  [[ -n ${device_pid:-} ]] && { kill -CONT "$device_pid"; kill "$device_pid"; } 2>/dev/null
  [[ -n ${tty_agent_pid:-} ]] && kill "$tty_agent_pid" 2>/dev/null
  [[ -n $relay_pid ]] && kill "$relay_pid" 2>/dev/null
  tools/sshd-stop.sh "$work/sshd" 2>/dev/null || true
  if [[ -n $keep ]]; then mkdir -p "$keep" && cp -r "$work"/. "$keep"/ && echo "fault-campaign: logs kept in $keep" >&2; fi
  rm -rf "$work" "$shm"
}
trap cleanup EXIT
trap 'echo "fault-campaign: stopped: line $LINENO failed (exit $?)" >&2' ERR
RANDOM=$seed
# r = 0 … N-1, from the seeded schedule (never in a subshell: bash reseeds RANDOM there)
rand() { r=$((RANDOM % $1)); }
say() { echo "fault-campaign: $(date -u +%H:%M:%S) $*" >&2; }

cosim_device_start "$work/device.log" || { echo "fault-campaign: the device did not start" >&2; exit 1; }
cosim_sshd_start "$work/sshd"

# The serial line: the relay's pty pair, the agent on its board end (restarted when it dies, as systemd would).
python3 tools/noisy-pty.py "$work/pty" </dev/null >"$work/pty.env" 2>"$work/relay.log" &
relay_pid=$!
for _ in $(seq 1 200); do grep -q PTY_PID "$work/pty.env" && break; sleep 0.05; done
while IFS='=' read -r key value; do pty[$key]=$value; done <"$work/pty.env"
[[ -n ${pty[PTY_BOARD]:-} ]] || { cat "$work/relay.log" >&2; exit 1; }

# The simulator's log: what every board log must equal, record for record.
"${hiltuner[@]}" tune --target sim --workload "$workload" --tuner "$tuner" --trials "$trials" --seed "$tuner_seed" \
  --log "$work/sim.log" >/dev/null 2>"$work/sim.err" || { cat "$work/sim.err" >&2; exit 1; }

link_json() {
  case $1 in
    process) cosim_process_link '"request_timeout_ms": 3000' ;;
    ssh) cosim_ssh_link '"request_timeout_ms": 3000' ;;
    serial) cosim_serial_link "${pty[PTY_HOST]}" '"request_timeout_ms": 3000' ;;
  esac
}

# The agents of this board running on this machine (started by the tuner, by sshd or on the tty).
agent_pids() { pgrep -f -- "^$agent .*--board-id $board_id( |\$)" || true; }
# The SSH session's processes: the children (and their children) of the private sshd.
sshd_session_pids() { pgrep -P "${sshd[SSHD_PID]}" || true; }

# Restarts what a fault left down: the device, and the agent on the tty (a board's service manager's job).
supervise() {
  if ! kill -0 "$device_pid" 2>/dev/null; then
    wait "$device_pid" 2>/dev/null || true
    say "restarting the device"
    cosim_device_start "$work/device.log" || say "the device did not restart"
  fi
  if [[ $1 == serial ]] && { [[ -z ${tty_agent_pid:-} ]] || ! kill -0 "$tty_agent_pid" 2>/dev/null; }; then
    [[ -n ${tty_agent_pid:-} ]] && { wait "$tty_agent_pid" 2>/dev/null || true; say "restarting the agent on the tty"; }
    cosim_tty_agent_start "${pty[PTY_BOARD]}" "$work/tty-agent.log"
  fi
}

# One fault on LINK, chosen from the seeded schedule; its name in fault.
inject() {
  local link=$1 choices=(agent-kill device-kill device-stop tuner-kill tuner-int)
  [[ $link == ssh ]] && choices+=(sshd-kill sshd-kill)
  [[ $link == serial ]] && choices+=(line-corrupt line-drop line-cut line-corrupt)
  local pids way
  rand ${#choices[@]}
  fault=${choices[r]}
  rand 2
  way=$( ((r)) && echo to-agent || echo from-agent)
  case $fault in
    agent-kill) pids=$(agent_pids); [[ -z $pids ]] || kill -9 $pids 2>/dev/null || true ;;
    device-kill) kill -9 "$device_pid" 2>/dev/null || true ;;
    device-stop) kill -STOP "$device_pid" 2>/dev/null || true; rand 4; sleep $((2 + r)); kill -CONT "$device_pid" 2>/dev/null || true ;;
    tuner-kill) kill -9 "$tune_pid" 2>/dev/null || true ;;
    tuner-int) kill -INT "$tune_pid" 2>/dev/null || true ;;
    sshd-kill) pids=$(sshd_session_pids); [[ -z $pids ]] || kill -9 $pids 2>/dev/null || true ;;
    line-corrupt) rand 16; echo "corrupt $way $((1 + r))" >"$work/pty/control" ;;
    line-drop) rand 64; echo "drop $way $((1 + r))" >"$work/pty/control" ;;
    line-cut) rand 5; echo "cut $((1 + r))" >"$work/pty/control" ;;
  esac
  return 0 # a process the fault aimed at may have ended meanwhile
}

: >"$work/attempts.tsv" # link, run, attempt, fault, exit code
for link in ${links//,/ }; do
  cosim_board_file "$link" "$(link_json "$link")"
  for run in $(seq 1 "$runs"); do
    log=$work/$link-$run.log
    injected=0 attempt=0 code=1
    while ((code != 0 && attempt < 40)); do
      attempt=$((attempt + 1))
      supervise "$link"
      resume=()
      [[ -s $log ]] && resume=(--resume)
      # env: a background command of a script starts with SIGINT ignored; the tuner must feel it.
      env --default-signal=INT "${hiltuner[@]}" tune --target board --board "$work/$link.json" --workload "$workload" --tuner "$tuner" \
        --trials "$trials" --seed "$tuner_seed" --log "$log" "${resume[@]}" </dev/null >/dev/null 2>>"$work/$link-$run.err" &
      tune_pid=$!
      faults=()
      while kill -0 "$tune_pid" 2>/dev/null; do
        if ((injected < faults_per_run)); then
          rand $((seconds * 10))
          delay=$((3 + r)) # tenths of a second
          for _ in $(seq 1 "$delay"); do kill -0 "$tune_pid" 2>/dev/null || break; supervise "$link"; sleep 0.1; done
          if kill -0 "$tune_pid" 2>/dev/null; then
            inject "$link"
            injected=$((injected + 1))
            faults+=("$fault")
            say "$link run $run attempt $attempt: $fault after $((delay / 10)).$((delay % 10)) s"
          fi
        else
          supervise "$link"
          sleep 0.2
        fi
      done
      code=0
      wait "$tune_pid" 2>/dev/null || code=$?
      tune_pid=
      faults_text=${faults[*]:-}
      printf '%s\t%s\t%s\t%s\t%s\n' "$link" "$run" "$attempt" "${faults_text// /,}" "$code" >>"$work/attempts.tsv"
      say "$link run $run attempt $attempt: exit $code"
    done
  done
done

python3 tools/fault-compare.py "$work/sim.log" "$work/attempts.tsv" "$work"
