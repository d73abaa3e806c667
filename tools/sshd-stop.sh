#!/usr/bin/env bash
# Stops the private sshd that tools/sshd-start.sh DIR started, with the connections it serves (their sessions end, so
# an agent started over one sees its input close). Nothing to do when it is not running; prints nothing on stdout.
set -euo pipefail
dir=${1:?usage: tools/sshd-stop.sh DIR}
[[ -d $dir ]] || exit 0
dir=$(cd "$dir" && pwd)
pidfile="$dir/sshd.pid"
[[ -s $pidfile ]] || exit 0
pid=$(cat "$pidfile")

running() { # a live process (a zombie counts as ended)
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

# Only that sshd: the pid may have been reused since, by anything.
if [[ $pid =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-f $dir/sshd_config"; then
  # The listener and the connection handlers it forked (each the parent of its session).
  pids=("$pid")
  mapfile -t children < <(pgrep -P "$pid" || true)
  pids+=("${children[@]}")
  kill "${pids[@]}" 2>/dev/null || true
  alive=()
  for _ in $(seq 1 100); do # up to ~5 s, then SIGKILL
    alive=()
    for p in "${pids[@]}"; do
      if running "$p"; then alive+=("$p"); fi
    done
    ((${#alive[@]} > 0)) || break
    sleep 0.05
  done
  if ((${#alive[@]} > 0)); then
    kill -KILL "${alive[@]}" 2>/dev/null || true
  fi
fi
rm -f "$pidfile"
