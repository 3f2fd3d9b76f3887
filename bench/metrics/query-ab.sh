#!/usr/bin/env bash
# bench/metrics: the query set of Loader/Queries.cs for two Vigil builds side by side -- a before and
# an after of an engine change -- on copies of the same query data set (10,000 series, 3.5 h at
# 15 s, pushed once into A), both servers up and their requests alternating (A, B, A, B...), so that
# both see the same machine load. Loopback only. Prints the Loader's JSON (median and p99 per
# query and system) and a table of B / A medians.
#
# Usage: bench/metrics/query-ab.sh DIR_A DIR_B [query_reps=20]
#   DIR_A, DIR_B: directories holding a vigil.dll each (e.g. dotnet build src/Vigil -c Release -o DIR).
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR_A=$1; DIR_B=$2; QUERY_REPS=${3:-20}
WORK=$(mktemp -d /tmp/vigil-bench-query-ab.XXXXXX)
PORT_A=18097; PORT_B=18098
echo "work directory: $WORK" >&2
source bench/metrics/common.sh
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"/a "$WORK"/b' EXIT
printf 'access:\n  rate_limits:\n    metrics: 100000000\n' >"$WORK/vigil.yaml"
echo "bench-password-$$-$RANDOM" >"$WORK/password"

# serve DIR DATA PORT: starts that build on that data; sets PID.
serve() {
  Logging__LogLevel__Default=Warning dotnet "$1/vigil.dll" serve --config "$WORK/vigil.yaml" --data "$2" \
    --urls "http://127.0.0.1:$3" >"$2.log" 2>&1 &
  PID=$!; PIDS+=("$PID")
  wait_http "http://127.0.0.1:$3/health"
}
token() { python3 bench/lib/token.py "http://127.0.0.1:$1" bench "$(cat "$WORK/password")" operator; }

dotnet "$DIR_A/vigil.dll" admin create --username bench --password-stdin --data "$WORK/a" <"$WORK/password" >/dev/null
serve "$DIR_A" "$WORK/a" "$PORT_A"
echo "query data push (3.5 h) into A" >&2
$LOADER push "http://127.0.0.1:$PORT_A/prometheus" "$(token "$PORT_A")" query "$T0" "$QUERY_STEPS" 15000 8 10000 40 >/dev/null
kill "$PID"; wait "$PID" 2>/dev/null || true
cp -r "$WORK/a" "$WORK/b"
serve "$DIR_A" "$WORK/a" "$PORT_A"
serve "$DIR_B" "$WORK/b" "$PORT_B"
echo "load before the queries: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
$LOADER query "http://127.0.0.1:$PORT_A/prometheus" "$(token "$PORT_A")" "http://127.0.0.1:$PORT_B/prometheus" "$(token "$PORT_B")" "$T_END" "$QUERY_REPS" >"$WORK/queries.json"
echo "load after the queries: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 - "$WORK/queries.json" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1]))
print("| query | A median / p99 ms | B median / p99 ms | B / A (median) |")
print("|---|---:|---:|---:|")
for qa, qb in zip(a, b):
    if qa.get("error") or qb.get("error"):
        print(f"| {qa['kind']} {qa['query']} | {qa.get('error', '')} | {qb.get('error', '')} | |")
        continue
    print(f"| {qa['kind']} {qa['query']} | {qa['median_ms']:.1f} / {qa['p99_ms']:.1f} | {qb['median_ms']:.1f} / {qb['p99_ms']:.1f} | {qb['median_ms'] / qa['median_ms']:.2f} |")
PY
