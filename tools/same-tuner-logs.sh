#!/bin/bash
# Behaviour check for refactorings of the tuners: the same seeded runs must write the same logs.
#   tools/same-tuner-logs.sh run OUTDIR [HILTUNER_DLL]   tunes resnet18.C11 on the simulator with every tuner (60 trials;
#                                                       140 for the xgb tuners, past two of their refits), and with a
#                                                       transfer log of resnet18.C10 for the model-based ones
#   tools/same-tuner-logs.sh compare BEFORE AFTER       compares two such runs record by record, ignoring the
#                                                       host-time fields (all_cost, timestamp); exits 1 on a difference
# Run it on a build before the change and on a build after it. Each tune runs under the shared build lock.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
case "${1:-}" in
run)
  out=$2; dll=${3:-$here/src/HilTuner.Cli/bin/Release/net10.0/hiltuner.dll}
  mkdir -p "$out"; rm -f "$out"/*.log
  tune() { flock /tmp/hiltuner-build.lock dotnet "$dll" tune --target sim --seed 5 "$@" >/dev/null; }
  for t in random grid ga xgb xgb-vinit ml2 hiltuner; do
    n=60; case $t in xgb*) n=140;; esac
    tune --workload resnet18.C11 --trials $n --tuner $t --log "$out/$t.log" 2>"$out/$t.err"
  done
  tune --workload resnet18.C10 --trials 40 --tuner random --log "$out/source.log" 2>/dev/null
  for t in xgb xgb-vinit ml2 hiltuner; do
    tune --workload resnet18.C11 --trials 60 --tuner $t --transfer "$out/source.log" --log "$out/transfer-$t.log" 2>"$out/transfer-$t.err"
  done
  ;;
compare)
  strip() { python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    r["result"] = r["result"][:2]  # costs, error_no; all_cost and timestamp are host time
    print(json.dumps(r, sort_keys=True))' "$1"; }
  rc=0
  for f in "$2"/*.log; do
    n=$(basename "$f")
    if [ ! -f "$3/$n" ]; then echo "missing $3/$n"; rc=1
    elif diff -q <(strip "$f") <(strip "$3/$n") >/dev/null; then echo "same $n ($(wc -l <"$f") records)"
    else echo "DIFFERENT $n"; rc=1; fi
  done
  exit $rc
  ;;
*) sed -n '2,8p' "$0"; exit 2 ;;
esac
