#!/usr/bin/env bash
# Stops the pty pair tools/pty-pair.sh DIR started (nothing to do when it is not running).
set -euo pipefail
dir=${1:?usage: tools/pty-stop.sh DIR}
if [[ -s $dir/socat.pid ]]; then
  kill "$(cat "$dir/socat.pid")" 2>/dev/null || true
  rm -f "$dir/socat.pid"
fi
