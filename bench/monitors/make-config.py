#!/usr/bin/env python3
"""Writes the benchmark's vigil.yaml: N HTTP monitors at a 10 s interval against the local targets.
Half healthy, a quarter slow (300 ms, degraded after 200 ms), a quarter failing (503)."""
import sys

count, target, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(out, "w") as f:
    f.write("monitoring:\n  max_concurrent_checks: 1024\n  max_concurrent_per_host: 1024\n")
    f.write("services:\n  - name: bench\n")
    f.write("monitors:\n")
    for i in range(count):
        kind = "ok" if i % 4 < 2 else ("slow" if i % 4 == 2 else "fail")
        f.write(f"  - {{name: m{i:05d}, type: http, service: bench, url: \"{target}/{kind}?m={i}\", interval: 10s, timeout: 5s, degraded_after: 200ms}}\n")
