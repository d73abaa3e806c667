#!/usr/bin/env bash
# Starts two linked pseudo-terminals (socat) for the serial link's tests: DIR/host (the host's serial device) and
# DIR/board (where the agent runs with --tty), both raw, no echo; socat logs to DIR/socat.log, its pid is in
# DIR/socat.pid. On success it prints exactly these KEY=VALUE lines on stdout, nothing else:
#   PTY_HOST=DIR/host  PTY_BOARD=DIR/board  PTY_PID=…
# Stop it with tools/pty-stop.sh DIR (an agent on DIR/board then sees the line hang up). Starting again in the same
# DIR stops the previous pair first.
set -euo pipefail
dir=${1:?usage: tools/pty-pair.sh DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fail() {
  echo "pty-pair: $*" >&2
  exit 1
}

command -v socat >/dev/null 2>&1 || fail "socat is missing: install socat (apt-get install socat; tools/ensure-deps.sh does)"
mkdir -p "$dir" || fail "cannot create $dir"
dir=$(cd "$dir" && pwd)
# socat's address syntax gives ',', ':' and '!' meanings of their own.
[[ $dir != *[,:\!]* ]] || fail "DIR '$dir' has a ',', ':' or '!' that socat's addresses cannot carry; use a plain path"

"$here/pty-stop.sh" "$dir"
rm -f "$dir/host" "$dir/board"
# Its own standard streams: whoever reads this script's output must see it end.
socat -d -d "pty,raw,echo=0,link=$dir/host" "pty,raw,echo=0,link=$dir/board" </dev/null >/dev/null 2>"$dir/socat.log" &
pid=$!
echo "$pid" >"$dir/socat.pid"
for _ in $(seq 1 200); do # up to ~10 s
  if [[ -L $dir/host && -L $dir/board ]] && grep -q "starting data transfer loop" "$dir/socat.log"; then
    echo "PTY_HOST=$dir/host"
    echo "PTY_BOARD=$dir/board"
    echo "PTY_PID=$pid"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
kill "$pid" 2>/dev/null || true
rm -f "$dir/socat.pid"
tail -n 20 "$dir/socat.log" >&2
fail "socat did not make $dir/host and $dir/board within 10 s (the end of $dir/socat.log is above)"
