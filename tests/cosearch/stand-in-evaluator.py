#!/usr/bin/env python3
"""A STAND-IN accuracy evaluator for `hiltuner cosearch --accuracy-cmd` (no network is trained).

Reads one architecture's JSON on stdin ({"stages": [{"depth", "width", "kernel", "stride"}, ...]}) and prints
"top1 train_top1", computed by a documented formula that only mimics the usual trend (more capacity, more accuracy,
deeper networks overfit more):
    capacity  = sum over stages of depth * log2(width / 16) * (kernel / 3)
    top1      = 0.45 + 0.30 * (1 - exp(-capacity / 12))
    train_top1 = min(1, top1 + 0.01 * sum of depths)
"""
import json
import math
import sys

arch = json.load(sys.stdin)
stages = arch["stages"]
capacity = sum(s["depth"] * math.log2(s["width"] / 16) * (s["kernel"] / 3) for s in stages)
top1 = 0.45 + 0.30 * (1 - math.exp(-capacity / 12))
train = min(1.0, top1 + 0.01 * sum(s["depth"] for s in stages))
print(f"{top1:.4f} {train:.4f}")
