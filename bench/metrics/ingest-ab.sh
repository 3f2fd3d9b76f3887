#!/usr/bin/env bash
# bench/metrics: phase (a) of run.sh alone -- remote-write ingest of SERIES new series x STEPS samples
# -- for Prometheus 2.42 and Vigil in turn, ROUNDS times (P, V, P, V, ...), each push into a freshly
# started server with its own temporary data directory. On a shared machine, alternating keeps the
# two systems' runs close in time, so their ratio is fairer than one run of each minutes apart.
# Loopback only. Prints one JSON line per push, with the load average before it, then the medians.
#
# Usage: bench/metrics/ingest-ab.sh [rounds=3] [series=100000] [steps=30] [senders=8] [batch=2000]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}; SERIES=${2:-100000}; STEPS=${3:-30}; SENDERS=${4:-8}; BATCH=${5:-2000}
WORK=$(mktemp -d /tmp/vigil-bench-ingest-ab.XXXXXX)
VIGIL_PORT=18092; PROM_PORT=18093
echo "work directory: $WORK" >&2
dotnet build -c Release src/Vigil -v q -nologo >/dev/null
dotnet build -c Release bench/metrics/Loader -v q -nologo >/dev/null
LOADER="dotnet bench/metrics/Loader/bin/Release/net10.0/Loader.dll"
NOW=$(date +%s)
T0=$(( (NOW - 5 * 3600) / 7200 * 7200 * 1000 ))
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null || true' EXIT
wait_http() { for _ in $(seq 1 120); do curl -fs "$1" >/dev/null && return 0; sleep 1; done; echo "not up: $1" >&2; return 1; }

# push NAME BASE TOKEN: warm-up as run.sh does, then the measured push; one JSON line.
push() {
  $LOADER push "$2" "$3" warmup:2000 "$T0" 20 15000 "$SENDERS" "$BATCH" 20 >/dev/null
  sleep 5
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  $LOADER push "$2" "$3" "ingest:$SERIES" "$T0" "$STEPS" 15000 "$SENDERS" "$BATCH" "$STEPS" |
    python3 -c 'import json, sys; d = json.load(sys.stdin); print(json.dumps({"system": sys.argv[1], "load_before": float(sys.argv[2]), "samples_per_second": round(d["samples_per_second"]), "failures": d["failures"]}))' "$1" "$load" |
    tee -a "$WORK/results.jsonl"
}

printf 'access:\n  rate_limits:\n    metrics: 100000000\n' >"$WORK/vigil.yaml"
echo "bench-password-$$-$RANDOM" >"$WORK/password"
for round in $(seq 1 "$ROUNDS"); do
  : >"$WORK/prometheus.yml"
  prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prometheus-$round" \
    --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-remote-write-receiver >"$WORK/prometheus-$round.log" 2>&1 &
  PID=$!
  wait_http "http://127.0.0.1:$PROM_PORT/-/ready"
  push prometheus "http://127.0.0.1:$PROM_PORT" -
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""

  dotnet src/Vigil/bin/Release/net10.0/vigil.dll admin create --username bench --password-stdin --data "$WORK/vigil-$round" <"$WORK/password" >/dev/null
  dotnet src/Vigil/bin/Release/net10.0/vigil.dll serve --config "$WORK/vigil.yaml" --data "$WORK/vigil-$round" \
    --urls "http://127.0.0.1:$VIGIL_PORT" >"$WORK/vigil-$round.log" 2>&1 &
  PID=$!
  wait_http "http://127.0.0.1:$VIGIL_PORT/health"
  TOKEN=$(python3 bench/lib/token.py "http://127.0.0.1:$VIGIL_PORT" bench "$(cat "$WORK/password")" operator)
  push vigil "http://127.0.0.1:$VIGIL_PORT/prometheus" "$TOKEN"
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  rm -rf "$WORK/prometheus-$round" "$WORK/vigil-$round"
done

python3 - "$WORK/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
med = {s: statistics.median(r["samples_per_second"] for r in rows if r["system"] == s) for s in ("prometheus", "vigil")}
pairs = [v["samples_per_second"] / p["samples_per_second"] for p, v in zip(rows[0::2], rows[1::2])]
print(json.dumps({"median_samples_per_second": med, "median_ratio": round(med["vigil"] / med["prometheus"], 2),
                  "ratio_per_round": [round(x, 2) for x in pairs]}))
PY
