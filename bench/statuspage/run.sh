#!/usr/bin/env bash
# bench/statuspage: wrk against the public status page and its summary.json on loopback, while
# 200 HTTP monitors check a local target every 5 s and 50 alert rules over their samples evaluate every 5 s.
# Usage: bench/statuspage/run.sh [seconds=30] [connections=64] [threads=2]
# Prints a Markdown block for bench/RESULTS.md. Needs: dotnet, python3, wrk (apt-get install wrk). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_MEASURED=${1:-30}; CONNECTIONS=${2:-64}; THREADS=${3:-2}
WORK=$(mktemp -d /tmp/vigil-bench-statuspage.XXXXXX)
VIGIL_PORT=18090; TARGET_PORT=18091
dotnet build -c Release src/Vigil -v q -nologo >/dev/null
dotnet build -c Release bench/monitors/Target -v q -nologo >/dev/null

python3 - "$WORK" "http://127.0.0.1:$TARGET_PORT" <<'PY'
import sys
work, target = sys.argv[1], sys.argv[2]
services = [f"svc-{i}" for i in range(10)]
lines = ["services:"] + [f"  - name: {s}" for s in services]
lines += ["monitors:"]
for i in range(200):
    lines += [f"  - name: check-{i}", "    type: http", f"    service: {services[i % 10]}", f"    url: {target}/ok", "    interval: 5s"]
lines += ["alerting:", "  evaluation_interval: 5s", "  rule_files: [rules.yml]"]
lines += ["maintenance_windows:", "  - name: weekly", "    service: svc-9", "    schedule: every sunday 02:00-04:00"]
lines += ["status_pages:", "  - name: public", "    title: Bench Status", "    components:"]
for i, s in enumerate(services):
    lines += [f"      - name: Component {i}", f"        group: Group {i // 4}", f"        services: [{s}]"]
open(f"{work}/vigil.yaml", "w").write("\n".join(lines) + "\n")
rules = ["groups:", "  - name: bench", "    interval: 5s", "    rules:"]
for i in range(50):
    rules += [f"      - alert: Slow{i}", f"        expr: avg by (service) (vigil_monitor_duration_seconds{{service=\"svc-{i % 10}\"}}) > 1", "        for: 1m"]
open(f"{work}/rules.yml", "w").write("\n".join(rules) + "\n")
PY

echo "bench-password-$$-$RANDOM" >"$WORK/password"
dotnet src/Vigil/bin/Release/net10.0/vigil.dll admin create --username bench --password-stdin --data "$WORK/data" <"$WORK/password" >/dev/null
dotnet bench/monitors/Target/bin/Release/net10.0/Target.dll "http://127.0.0.1:$TARGET_PORT" >"$WORK/target.log" 2>&1 &
TARGET_PID=$!
dotnet src/Vigil/bin/Release/net10.0/vigil.dll serve --config "$WORK/vigil.yaml" --data "$WORK/data" --urls "http://127.0.0.1:$VIGIL_PORT" >"$WORK/vigil.log" 2>&1 &
VIGIL_PID=$!
trap 'kill $VIGIL_PID $TARGET_PID 2>/dev/null || true' EXIT
echo "work directory: $WORK" >&2
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$VIGIL_PORT/health" >/dev/null && break; sleep 1; done
TOKEN=$(python3 bench/lib/token.py "http://127.0.0.1:$VIGIL_PORT" bench "$(cat "$WORK/password")")
BASE="http://127.0.0.1:$VIGIL_PORT/status/public"
# Warm-up: the first hit renders; monitors start and rules run.
sleep 15
curl -fs "$BASE" >/dev/null; curl -fs "$BASE/api/v2/summary.json" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "$BASE" >/dev/null

for target in "$BASE" "$BASE/api/v2/summary.json"; do
  LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_MEASURED}s" --latency "$target" >"$WORK/wrk.txt"
  python3 - "$WORK/wrk.txt" "${target#http://127.0.0.1:$VIGIL_PORT}" "$LOAD" "$(curl -fs "$target" | wc -c)" <<'PY'
import re, sys
text, path, load, size = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3], sys.argv[4]
rps = re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1)
lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", text, re.M))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
socket = re.search(r"Socket errors: (.*)", text)
print(f"- `GET {path}` ({size} bytes): {float(rps):,.0f} requests/s; latency p50 {lat.get('50')}, p90 {lat.get('90')}, p99 {lat.get('99')}"
      + (f"; non-2xx {errors.group(1)}" if errors else "") + (f"; socket errors {socket.group(1)}" if socket else "") + f" (load average before: {load})")
PY
done
CHECKS=$(curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$VIGIL_PORT/metrics" | awk '/^vigil_monitor_checks_total/ {s+=$2} END {print s}')
RULES=$(curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$VIGIL_PORT/api/rules" | python3 -c 'import json,sys; d=json.load(sys.stdin); g=d if isinstance(d,list) else d.get("groups", d.get("data",{}).get("groups",[])); print(sum(len(x.get("rules",[])) for x in g))' 2>/dev/null || echo "?")
echo "- background during the run: 200 HTTP monitors at 5 s ($CHECKS checks done in total), $RULES alert rules evaluated every 5 s"
