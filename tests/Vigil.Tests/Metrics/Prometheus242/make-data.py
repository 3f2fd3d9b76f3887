#!/usr/bin/env python3
"""Writes grafana-data.om.gz: one hour of deterministic samples (OpenMetrics text) shaped like a
small API's metrics: request counters by instance/method/status (one counter reset), a latency
histogram, `up` with one instance down for ten minutes, and a float gauge. The same file is
loaded into Prometheus 2.42 (record.sh) and into Vigil (the compatibility tests)."""
import math

T0 = 1_700_000_000          # 2023-11-14T22:13:20Z
STEP = 30                   # seconds between samples
N = 120                     # one hour
INSTANCES = ["api-1:8080", "api-2:8080"]
BUCKETS = ["0.05", "0.1", "0.25", "0.5", "1", "+Inf"]

def fmt(v):
    return repr(float(v)) if isinstance(v, float) else str(v)

out = []
out.append("# TYPE http_requests counter")
out.append("# HELP http_requests Requests served.")
for ii, inst in enumerate(INSTANCES):
    for mi, method in enumerate(["GET", "POST"]):
        for si, status in enumerate(["200", "500"]):
            total = 0
            for i in range(N):
                inc = (20 - 15 * si) * (1 + mi) + ((i * (3 + ii + mi + si)) % 7)
                total += inc
                # api-2's POST 500 counter restarts from zero at the middle (a process restart).
                if inst == "api-2:8080" and method == "POST" and status == "500" and i == N // 2:
                    total = inc
                out.append(f'http_requests_total{{instance="{inst}",job="api",method="{method}",status="{status}"}} {total} {T0 + i * STEP}')
out.append("# TYPE http_request_duration_seconds histogram")
out.append("# HELP http_request_duration_seconds Request latency.")
for ii, inst in enumerate(INSTANCES):
    counts = [0] * len(BUCKETS)
    total_sum = 0.0
    series = {b: [] for b in BUCKETS}
    sums, cnts = [], []
    for i in range(N):
        per = [12 + (i % 5), 6 + ii * 3, 3 + (i % 3), 2, 1 + ii, (i % 2)]
        for b in range(len(BUCKETS)):
            counts[b] += sum(per[: b + 1])
        total_sum += 0.02 * per[0] + 0.07 * per[1] + 0.2 * per[2] + 0.4 * per[3] + 0.8 * per[4] + 2.5 * per[5]
        for b, le in enumerate(BUCKETS):
            series[le].append(counts[b])
        sums.append(round(total_sum, 3))
        cnts.append(counts[-1])
    for le in BUCKETS:
        for i in range(N):
            out.append(f'http_request_duration_seconds_bucket{{instance="{inst}",job="api",le="{le}"}} {series[le][i]} {T0 + i * STEP}')
    for i in range(N):
        out.append(f'http_request_duration_seconds_sum{{instance="{inst}",job="api"}} {sums[i]} {T0 + i * STEP}')
    for i in range(N):
        out.append(f'http_request_duration_seconds_count{{instance="{inst}",job="api"}} {cnts[i]} {T0 + i * STEP}')
out.append("# TYPE up gauge")
for inst in INSTANCES:
    for i in range(N):
        down = inst == "api-2:8080" and 50 <= i < 70
        out.append(f'up{{instance="{inst}",job="api"}} {0 if down else 1} {T0 + i * STEP}')
out.append("# TYPE node_memory_MemAvailable_bytes gauge")
for ii, inst in enumerate(INSTANCES):
    for i in range(N):
        v = 4.0e9 + 5.0e8 * math.sin(i / 40 + ii) 
        out.append(f'node_memory_MemAvailable_bytes{{instance="{inst}",job="node"}} {round(v, 1)} {T0 + i * STEP}')
out.append("# EOF")
import gzip
with open("grafana-data.om.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
    f.write(("\n".join(out) + "\n").encode())
