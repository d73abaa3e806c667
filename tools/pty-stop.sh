#!/usr/bin/env bash
# Stops the pty pair that tools/pty-pair.sh DIR started and removes its links. Nothing to do when it is not running;
# prints nothing on stdout.
set -euo pipefail
dir=${1:?usage: tools/pty-stop.sh DIR}
[[ -d $dir ]] || exit 0
dir=$(cd "$dir" && pwd)
pidfile="$dir/socat.pid"
if [[ -s $pidfile ]]; then
  pid=$(cat "$pidfile")
  # Only that socat: the pid may have been reused since, by anything.
  if [[ $pid =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "link=$dir/host"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do # up to ~5 s, then SIGKILL
      state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || break
      [[ $state != Z ]] || break
      sleep 0.05
    done
    if state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) && [[ $state != Z ]]; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
fi
rm -f "$dir/host" "$dir/board"
