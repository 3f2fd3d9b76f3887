#!/usr/bin/env python3
"""Group a process's /proc/PID/smaps by mapping: RSS (and Private_Dirty) in MiB, biggest first.
Usage: smaps.py <smaps file or pid> [top=25]
Anonymous mappings are split into the GC's range (the largest run of adjacent anonymous mappings,
which is where the GC reserves its regions), thread stacks (guard page + 8 MiB-ish), and the rest."""
import os, re, sys
from collections import defaultdict

src = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
path = f"/proc/{src}/smaps" if src.isdigit() else src
maps, cur = [], None
for line in open(path):
    m = re.match(r'^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$', line)
    if m:
        cur = {"start": int(m.group(1), 16), "end": int(m.group(2), 16), "perms": m.group(3), "name": m.group(4).strip(), "Rss": 0, "Private_Dirty": 0}
        maps.append(cur)
        continue
    k = re.match(r'^(Rss|Private_Dirty):\s+(\d+) kB', line)
    if k and cur is not None:
        cur[k.group(1)] = int(k.group(2))

# The GC reserves one large virtual range and commits regions inside it: find the largest run of
# adjacent anonymous mappings by virtual size.
runs, run = [], []
for m in maps:
    if m["name"] == "" and run and run[-1]["end"] == m["start"]:
        run.append(m)
    else:
        if run: runs.append(run)
        run = [m] if m["name"] == "" else []
if run: runs.append(run)
gc_run = max(runs, key=lambda r: r[-1]["end"] - r[0]["start"]) if runs else []
gc_ids = {id(m) for m in gc_run}

groups = defaultdict(lambda: [0, 0, 0])
for m in maps:
    name = m["name"]
    if id(m) in gc_ids:
        key = "[anon: GC reserved range]"
    elif name == "":
        key = "[anon: other, rw]" if "rw" in m["perms"] else "[anon: other, " + m["perms"] + "]"
    elif name.startswith("/memfd:doublemapper"):
        key = "memfd:doublemapper (JIT code, W^X)"
    else:
        key = name
    g = groups[key]
    g[0] += m["Rss"]; g[1] += m["Private_Dirty"]; g[2] += 1

total = sum(g[0] for g in groups.values())
print(f"total RSS {total / 1024:.1f} MiB in {len(maps)} mappings")
print(f"{'RSS MiB':>8} {'PrivDirty':>9} {'maps':>5}  mapping")
for key, (rss, dirty, n) in sorted(groups.items(), key=lambda kv: -kv[1][0])[:top]:
    print(f"{rss / 1024:8.1f} {dirty / 1024:9.1f} {n:5d}  {key}")
files = sum(g[0] for k, g in groups.items() if k.startswith("/"))
print(f"files mapped (all .so/.dll/other): {files / 1024:.1f} MiB")
