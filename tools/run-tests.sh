#!/usr/bin/env bash
# Runs every test project and the C agent's tests, and ends with one line "N passed, N failed, N skipped"
# summed over all of them. Exits non-zero if anything failed or could not run.
set -uo pipefail
config=${1:-Release}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

passed=0 failed=0 skipped=0 broken=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# C# test projects (Microsoft.Testing.Platform prints one summary for the whole solution).
dotnet test --solution HilTuner.sln -c "$config" --no-build 2>&1 | tee "$log"
dotnet_exit=${PIPESTATUS[0]}
summary=$(sed -n '/^Test run summary/,$p' "$log")
if [[ -z "$summary" ]]; then
  echo "run-tests: dotnet test printed no summary (exit $dotnet_exit)" >&2
  broken=1
else
  passed=$((passed + $(grep -oP '^\s*succeeded:\s*\K\d+' <<<"$summary" | tail -1)))
  failed=$((failed + $(grep -oP '^\s*failed:\s*\K\d+' <<<"$summary" | tail -1)))
  skipped=$((skipped + $(grep -oP '^\s*skipped:\s*\K\d+' <<<"$summary" | tail -1)))
  [[ $dotnet_exit -eq 0 ]] || broken=1
fi

# The C agent's tests: their last line reads "vta-agent…: N passed, N failed".
if [[ -f firmware-stubs/Makefile ]]; then
  for target in $(tools/agent-test-targets.sh); do
    make -s -C firmware-stubs "$target" 2>&1 | tee "$log"
    agent_exit=${PIPESTATUS[0]}
    lines=$(grep -E '^vta-agent.*: [0-9]+ passed, [0-9]+ failed' "$log" || true)
    if [[ -z "$lines" ]]; then
      echo "run-tests: make -C firmware-stubs $target printed no result line (exit $agent_exit)" >&2
      broken=1
      continue
    fi
    while read -r line; do
      passed=$((passed + $(grep -oP '\d+(?= passed)' <<<"$line")))
      failed=$((failed + $(grep -oP '\d+(?= failed)' <<<"$line")))
    done <<<"$lines"
    [[ $agent_exit -eq 0 ]] || broken=1
  done
fi

echo "$passed passed, $failed failed, $skipped skipped"
if ((failed > 0 || broken > 0)); then
  exit 1
fi
