#!/usr/bin/env python3
"""Compares the board logs of a fault campaign (tools/fault-campaign.sh) with the simulator's log of the same tuner,
seed and trials, and prints one table per link and in total:
  runs       runs, and attempts (tune invocations, each resumed after a fault)
  faults     faults injected
  exit3      attempts that stopped with exit code 3 (the board failed and the ladder did not bring it back; resumed)
  records    records in the completed board logs
  lost       configurations the simulator's log has that a board log lacks
  extra      configurations a board log has that the simulator's lacks
  dup        a configuration recorded twice, except an unattributed board failure measured again (remeasured)
  remeasured board failures (hang, link_lost, board_reset) without attribution, measured again on resume
  wrong      a configuration's final record whose status differs from the simulator's (e.g. charged hang, link_lost
             or board_reset while the simulator says ok), or whose cycles differ
  crashed    attempts that exited with a code other than 0, 2, 3 (and than 137/130 after the injector killed or
             interrupted the tuner), and runs that never completed
Exits 1 when lost, extra, dup, wrong or crashed is not zero.
Usage: tools/fault-compare.py SIM.LOG ATTEMPTS.TSV DIR (DIR holds LINK-RUN.log)"""
import collections
import json
import os
import sys

NEEDS_ATTRIBUTION = {"hang", "link_lost", "board_reset"}
EXPECTED_EXIT = {"tuner-kill": {137}, "tuner-int": {130}}


def records(path):
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip().strip("\0")
            if not line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn line: the tuner ignores it too
            facts = record.get("hiltuner", {})
            out.append((record["config"]["index"], facts.get("status"), facts.get("cycles"), facts.get("attribution"),
                        facts.get("target")))
    return out


sim_path, attempts_path, directory = sys.argv[1:4]
sim = {index: (status, cycles) for index, status, cycles, _, _ in records(sim_path)}
attempts = collections.defaultdict(list)
with open(attempts_path) as f:
    for line in f:
        link, run, attempt, fault, code = line.rstrip("\n").split("\t")
        attempts[(link, int(run))].append((fault, int(code)))

columns = ["runs", "attempts", "faults", "exit3", "records", "lost", "extra", "dup", "remeasured", "wrong", "crashed"]
tables = collections.OrderedDict()
problems = []
for (link, run), tries in attempts.items():
    row = tables.setdefault(link, collections.Counter())
    row["runs"] += 1
    row["attempts"] += len(tries)
    row["faults"] += sum(len(faults.split(",")) for faults, _ in tries if faults)
    row["exit3"] += sum(1 for _, code in tries if code == 3)
    for faults, code in tries:
        last = faults.split(",")[-1] if faults else "-"
        if code not in (0, 2, 3) and code not in EXPECTED_EXIT.get(last, ()):
            row["crashed"] += 1
            problems.append(f"{link} run {run}: exit {code} after {faults or 'no fault'}")
    if tries[-1][1] != 0:
        row["crashed"] += 1
        problems.append(f"{link} run {run}: never completed (last exit {tries[-1][1]})")
        continue
    board = [r for r in records(os.path.join(directory, f"{link}-{run}.log")) if r[4] == "board"]
    row["records"] += len(board)
    by_index = collections.defaultdict(list)
    for index, status, cycles, attribution, _ in board:
        by_index[index].append((status, cycles, attribution))
    for index in sim.keys() - by_index.keys():
        row["lost"] += 1
        problems.append(f"{link} run {run}: #{index} lost (sim: {sim[index][0]})")
    for index in by_index.keys() - sim.keys():
        row["extra"] += 1
        problems.append(f"{link} run {run}: #{index} not in the simulator's log")
    for index, seen in by_index.items():
        # Earlier records that are unattributed board failures were measured again: not duplicates.
        earlier = seen[:-1]
        remeasured = sum(1 for status, _, attribution in earlier if status in NEEDS_ATTRIBUTION and attribution is None)
        row["remeasured"] += remeasured
        if len(earlier) > remeasured:
            row["dup"] += len(earlier) - remeasured
            problems.append(f"{link} run {run}: #{index} recorded {len(seen)} times: {[s for s, _, _ in seen]}")
        if index in sim:
            status, cycles, attribution = seen[-1]
            if (status, cycles) != sim[index] if status == "ok" else status != sim[index][0]:
                row["wrong"] += 1
                problems.append(f"{link} run {run}: #{index} is {status} ({cycles} cycles, attribution {attribution}) "
                                f"on the board, {sim[index][0]} ({sim[index][1]} cycles) on the simulator")

total = collections.Counter()
for row in tables.values():
    total.update(row)
tables["total"] = total
width = max(len(c) for c in columns) + 1
print(f"{'link':<8}" + "".join(f"{c:>{width}}" for c in columns))
for link, row in tables.items():
    print(f"{link:<8}" + "".join(f"{row[c]:>{width}}" for c in columns))
kinds = collections.Counter(f for tries in attempts.values() for faults, _ in tries for f in faults.split(",") if f)
print("faults: " + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())))
for problem in problems:
    print("  " + problem)
sys.exit(1 if any(total[c] for c in ("lost", "extra", "dup", "wrong", "crashed")) else 0)
