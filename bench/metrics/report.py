#!/usr/bin/env python3
"""Turns a bench/metrics/run.sh work directory into the Markdown block for bench/RESULTS.md."""
import json, os, re, sys

work, series, steps, reps, senders, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]


def load(system, name):
    with open(os.path.join(work, system, name)) as f:
        return json.load(f)


def metric(system, file, name):
    pattern = re.compile(r'^' + re.escape(name) + r'(\{[^}]*\})? ([0-9.eE+-]+)$')
    with open(os.path.join(work, system, file)) as f:
        for line in f:
            m = pattern.match(line.strip())
            if m:
                return float(m.group(2))
    return None


def kib(system, name):
    with open(os.path.join(work, system, name)) as f:
        return int(f.read().strip())


rows = {}
for system in ("prometheus", "vigil"):
    ingest, blocks, queries = load(system, "ingest.json"), load(system, "blocks.json"), load(system, "queries.json")
    heap = ("go_memstats_heap_inuse_bytes", "go heap in use") if system == "prometheus" else ("dotnet_total_memory_bytes", "GC heap")
    h0, h1 = metric(system, "metrics-idle.txt", heap[0]), metric(system, "metrics-ingested.txt", heap[0])
    rows[system] = {
        "ingest": ingest["samples_per_second"],
        "ingest_failures": ingest["failures"],
        "ingest_seconds": ingest["send_seconds"],
        "rss_per_series": (kib(system, "rss-ingested") - kib(system, "rss-idle")) * 1024 / series,
        "rss_idle": kib(system, "rss-idle") / 1024,
        "rss_ingested": kib(system, "rss-ingested") / 1024,
        "heap_per_series": (h1 - h0) / series if h0 is not None and h1 is not None else None,
        "heap_name": heap[1],
        "bytes_per_sample": blocks["bytes"] / blocks["samples"] if blocks["samples"] else None,
        "blocks": blocks,
        "queries": {(q["query"], q["kind"]): q for q in queries},
    }

p, v = rows["prometheus"], rows["vigil"]
fmt = lambda x, d=0: "n/a" if x is None else f"{x:,.{d}f}"
print(f"- ingest: {series:,} series x {steps} samples = {series * steps:,} samples, {senders} concurrent senders, {batch} samples a request")
print(f"- then 20,000 query series x 841 samples (3.5 h at 15 s) for blocks and queries; {reps} repetitions a query")
print()
print("| measure | Prometheus 2.42 | Vigil | Vigil / Prometheus | goal |")
print("|---|---:|---:|---:|---|")
print(f"| (a) remote-write ingest, samples/s | {fmt(p['ingest'])} | {fmt(v['ingest'])} | {v['ingest'] / p['ingest']:.2f}x | >= 1.5x |")
print(f"| (b) memory per active series, RSS bytes (after - idle) / series | {fmt(p['rss_per_series'])} | {fmt(v['rss_per_series'])} | {v['rss_per_series'] / p['rss_per_series']:.2f}x | <= 1x |")
print(f"| (b') heap per active series ({p['heap_name']} / {v['heap_name']}) | {fmt(p['heap_per_series'])} | {fmt(v['heap_per_series'])} | | |")
print(f"| RSS idle -> after ingest, MiB | {p['rss_idle']:.0f} -> {p['rss_ingested']:.0f} | {v['rss_idle']:.0f} -> {v['rss_ingested']:.0f} | | |")
bp, bv = p["bytes_per_sample"], v["bytes_per_sample"]
print(f"| (c) block bytes per sample | {fmt(bp, 2)} | {fmt(bv, 2)} | {'n/a' if not bp or not bv else f'{bv / bp:.2f}x'} | <= 1x |")
print(f"| blocks, samples in them | {p['blocks']['blocks']}, {p['blocks']['samples']:,} | {v['blocks']['blocks']}, {v['blocks']['samples']:,} | | |")
for key, qp in p["queries"].items():
    qv = v["queries"].get(key, {})
    name = f"(d) {key[1]} `{key[0]}`"
    if qp.get("error") or qv.get("error") or not qv:
        print(f"| {name} | {qp.get('error') or ''} | {qv.get('error') or ''} | | |")
        continue
    print(f"| {name} median / p99 ms ({qp['series']} / {qv['series']} series out) | {qp['median_ms']:.1f} / {qp['p99_ms']:.1f} | {qv['median_ms']:.1f} / {qv['p99_ms']:.1f} | {qv['median_ms'] / qp['median_ms']:.2f}x / {qv['p99_ms'] / qp['p99_ms']:.2f}x | <= 1x |")
if p["ingest_failures"] or v["ingest_failures"]:
    print(f"\nFAILED pushes: Prometheus {p['ingest_failures']}, Vigil {v['ingest_failures']}")
