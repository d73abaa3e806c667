#!/usr/bin/env bash
# Starts two linked pseudo-terminals (socat) for the serial link's tests: DIR/host (the host's serial device) and
# DIR/board (where the agent runs with --tty), raw, no echo. Prints PTY_HOST, PTY_BOARD and PTY_PID (KEY=VALUE).
# Stop it with tools/pty-stop.sh DIR.
set -euo pipefail
dir=${1:?usage: tools/pty-pair.sh DIR}
command -v socat >/dev/null || { echo "pty-pair: socat is missing: install socat (tools/ensure-deps.sh does)" >&2; exit 1; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rm -f "$dir/host" "$dir/board"
# Its own stdin and stdout: whoever reads this script's output must see it end.
socat -d -d "pty,raw,echo=0,link=$dir/host" "pty,raw,echo=0,link=$dir/board" </dev/null >/dev/null 2>"$dir/socat.log" &
pid=$!
echo "$pid" >"$dir/socat.pid"
for _ in $(seq 1 100); do
  if [[ -e $dir/host && -e $dir/board ]]; then
    echo "PTY_HOST=$dir/host"
    echo "PTY_BOARD=$dir/board"
    echo "PTY_PID=$pid"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
echo "pty-pair: socat did not create the ptys; the end of $dir/socat.log:" >&2
tail -n 20 "$dir/socat.log" >&2
kill "$pid" 2>/dev/null || true
exit 1
