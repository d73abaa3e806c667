#!/usr/bin/env bash
# Stops the private sshd tools/sshd-start.sh DIR started (nothing to do when it is not running).
set -euo pipefail
dir=${1:?usage: tools/sshd-stop.sh DIR}
pidfile="$dir/sshd.pid"
if [[ -s $pidfile ]]; then
  pid=$(cat "$pidfile")
  # The listener only: connections it forked end with their clients.
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  rm -f "$pidfile"
fi
