#!/usr/bin/env bash
# bench/metrics: remote-write FORWARDING to victoria-metrics, Vigil (metrics.remote_write) against
# Prometheus 2.42 (remote_write), ROUNDS times alternating (P, V, P, V, ...). Each round starts a
# fresh victoria-metrics and a fresh server whose remote_write points at it, pushes SERIES x STEPS
# samples into the server through remote-write (bench/metrics/Loader, as ingest-ab.sh does) and
# times until victoria-metrics has received every one (its vm_rows_inserted_total). Reports
# samples/s (pushed samples / time from the push's start until the last one is in victoria-metrics)
# and the server's CPU seconds (utime+stime from /proc/PID/stat) per million samples over the same
# span, which includes receiving and storing them. Samples carry current timestamps (Prometheus's
# WAL watcher skips samples older than its start). Loopback only.
#
# Usage: bench/metrics/forward-ab.sh [rounds=2] [series=20000] [steps=10] [senders=4] [batch=2000]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-2}; SERIES=${2:-20000}; STEPS=${3:-10}; SENDERS=${4:-4}; BATCH=${5:-2000}
WORK=$(mktemp -d /tmp/vigil-bench-forward.XXXXXX)
VIGIL_PORT=18192; PROM_PORT=18193; VM_PORT=18194
echo "work directory: $WORK" >&2
dotnet build -c Release src/Vigil -v q -nologo >/dev/null
dotnet build -c Release bench/metrics/Loader -v q -nologo >/dev/null
LOADER="dotnet bench/metrics/Loader/bin/Release/net10.0/Loader.dll"
PID=""; VMPID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; [ -n "$VMPID" ] && kill "$VMPID" 2>/dev/null || true' EXIT
wait_http() { for _ in $(seq 1 120); do curl -fs "$1" >/dev/null && return 0; sleep 1; done; echo "not up: $1" >&2; return 1; }
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
vm_rows() { curl -fs "http://127.0.0.1:$VM_PORT/metrics" | awk '/^vm_rows_inserted_total\{type="promremotewrite"\}/ {print $2}'; }
TOTAL=$((SERIES * STEPS))

# wait_rows N: until victoria-metrics has inserted at least N rows (at most 10 minutes).
wait_rows() {
  local rows
  for _ in $(seq 1 6000); do
    rows=$(vm_rows); [ "${rows:-0}" -ge "$1" ] && break; sleep 0.1
  done
  echo "${rows:-0}"
}

# measure NAME BASE TOKEN: a warm-up push (2,000 other series x 20 samples, as run.sh does, so a
# JIT-compiled server is not measured while compiling) forwarded completely first; then push
# SERIES x STEPS samples and wait until victoria-metrics has them all; one JSON line.
measure() {
  local t0 c0 start end c1 rows base
  t0=$(( $(date +%s) * 1000 ))
  $LOADER push "$2" "$3" warmup:2000 "$t0" 20 15000 "$SENDERS" "$BATCH" 20 >/dev/null
  base=$(wait_rows 40000); sleep 1; base=$(vm_rows)
  t0=$(( $(date +%s) * 1000 ))
  c0=$(cpu "$PID"); start=$(date +%s.%N)
  $LOADER push "$2" "$3" "ingest:$SERIES" "$t0" "$STEPS" 15000 "$SENDERS" "$BATCH" "$STEPS" >"$WORK/push.json"
  rows=$(( $(wait_rows $((base + TOTAL))) - base ))
  end=$(date +%s.%N); c1=$(cpu "$PID")
  python3 -c 'import json, sys; n, s, e, c, rows = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), (int(sys.argv[6]) - int(sys.argv[5])) / 100, int(float(sys.argv[7] or 0))
print(json.dumps({"system": sys.argv[1], "load_before": float(sys.argv[8]), "samples": n, "in_victoria_metrics": rows, "seconds": round(e - s, 2), "samples_per_second": round(n / (e - s)), "cpu_seconds_per_million": round(c / n * 1e6, 2)}))' \
    "$1" "$TOTAL" "$start" "$end" "$c0" "$c1" "${rows:-0}" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$WORK/results.jsonl"
}

start_vm() {
  victoria-metrics -httpListenAddr="127.0.0.1:$VM_PORT" -storageDataPath="$WORK/vm-$1" -retentionPeriod=1y -loggerLevel=ERROR >"$WORK/vm-$1.log" 2>&1 &
  VMPID=$!
  wait_http "http://127.0.0.1:$VM_PORT/health"
}
stop() { kill "$1"; wait "$1" 2>/dev/null || true; }

printf 'access:\n  rate_limits:\n    metrics: 100000000\nmetrics:\n  remote_write:\n    - url: http://127.0.0.1:%s/api/v1/write\n      name: vm\n' "$VM_PORT" >"$WORK/vigil.yaml"
printf 'remote_write:\n  - url: http://127.0.0.1:%s/api/v1/write\n    name: vm\n' "$VM_PORT" >"$WORK/prometheus.yml"
echo "bench-password-$$-$RANDOM" >"$WORK/password"
for round in $(seq 1 "$ROUNDS"); do
  start_vm "p$round"
  prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prometheus-$round" \
    --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-remote-write-receiver >"$WORK/prometheus-$round.log" 2>&1 &
  PID=$!
  wait_http "http://127.0.0.1:$PROM_PORT/-/ready"
  sleep 2
  measure prometheus "http://127.0.0.1:$PROM_PORT" -
  stop "$PID"; PID=""; stop "$VMPID"; VMPID=""

  start_vm "v$round"
  dotnet src/Vigil/bin/Release/net10.0/vigil.dll admin create --username bench --password-stdin --data "$WORK/vigil-$round" <"$WORK/password" >/dev/null
  dotnet src/Vigil/bin/Release/net10.0/vigil.dll serve --config "$WORK/vigil.yaml" --data "$WORK/vigil-$round" \
    --urls "http://127.0.0.1:$VIGIL_PORT" >"$WORK/vigil-$round.log" 2>&1 &
  PID=$!
  wait_http "http://127.0.0.1:$VIGIL_PORT/health"
  TOKEN=$(python3 bench/lib/token.py "http://127.0.0.1:$VIGIL_PORT" bench "$(cat "$WORK/password")" operator)
  sleep 2
  measure vigil "http://127.0.0.1:$VIGIL_PORT/prometheus" "$TOKEN"
  stop "$PID"; PID=""; stop "$VMPID"; VMPID=""
  rm -rf "$WORK/prometheus-$round" "$WORK/vigil-$round" "$WORK/vm-p$round" "$WORK/vm-v$round"
done

python3 - "$WORK/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
out = {s: {"median_samples_per_second": statistics.median(r["samples_per_second"] for r in rows if r["system"] == s),
           "median_cpu_seconds_per_million": statistics.median(r["cpu_seconds_per_million"] for r in rows if r["system"] == s)}
       for s in ("prometheus", "vigil")}
print(json.dumps(out))
PY
