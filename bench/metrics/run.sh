#!/usr/bin/env bash
# bench/metrics: Vigil's metrics engine side by side with Prometheus 2.42 (Debian's `prometheus`),
# the same samples pushed into both through remote-write by bench/metrics/Loader, one system at a
# time on this machine, each started fresh in its own temporary data directory. Loopback only.
#
# Usage: bench/metrics/run.sh [series=100000] [ingest_steps=30] [query_reps=50] [senders=8] [batch=2000]
#
# Per system:
#  (a) ingest: after a warm-up push of 2,000 other series, SERIES series x INGEST_STEPS samples at 15 s spacing, pushed as fast as it accepts
#      (bodies encoded beforehand; wall time until every request got its 2xx);
#  (b) memory per active series: RSS 10 s after that push minus RSS at idle before it, / SERIES;
#  (c) disk: then a query data set of 20,000 series over 3.5 h at 15 s is pushed (same start), so
#      the head spans > 1.5 x 2 h and both write the first 2 h to a block; block bytes (du) over
#      the samples the blocks' meta.json count;
#  (d) query latency of the fixed set in Loader/Queries.cs over 10,000 series, instant and 1 h
#      range (step 60 s), QUERY_REPS times each after 2 warm-ups, median and p99; at the end, with
#      both systems up and their requests alternating, so both see the same machine load.
# Prints a Markdown block for bench/RESULTS.md; raw output stays in the work directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
SERIES=${1:-100000}; INGEST_STEPS=${2:-30}; QUERY_REPS=${3:-50}; SENDERS=${4:-8}; BATCH=${5:-2000}
WORK=$(mktemp -d /tmp/vigil-bench-metrics.XXXXXX)
VIGIL_PORT=18090; PROM_PORT=18091
echo "work directory: $WORK" >&2
dotnet build -c Release src/Vigil -v q -nologo >/dev/null
source bench/metrics/common.sh
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

# run_phases NAME PID BASE TOKEN METRICS_URL BLOCKS_DIR
run_phases() {
  local name=$1 pid=$2 base=$3 token=$4 metrics=$5 blocks=$6 out="$WORK/$1"
  mkdir -p "$out"
  # A small push of other series first, so neither is measured while still warming up (JIT, pools).
  $LOADER push "$base" "$token" warmup:2000 "$T0" 20 15000 "$SENDERS" "$BATCH" 20 >"$out/warmup.json"
  sleep 10
  rss_kib "$pid" >"$out/rss-idle"
  curl -fs -H "Authorization: Bearer $token" "$metrics" >"$out/metrics-idle.txt"
  echo "$name: ingest push" >&2
  $LOADER push "$base" "$token" "ingest:$SERIES" "$T0" "$INGEST_STEPS" 15000 "$SENDERS" "$BATCH" "$INGEST_STEPS" >"$out/ingest.json"
  sleep 10
  rss_kib "$pid" >"$out/rss-ingested"
  curl -fs -H "Authorization: Bearer $token" "$metrics" >"$out/metrics-ingested.txt"
  echo "$name: query data push (3.5 h)" >&2
  $LOADER push "$base" "$token" query "$T0" "$QUERY_STEPS" 15000 "$SENDERS" 10000 40 >"$out/querydata.json"
  echo "$name: waiting for a block" >&2
  for _ in $(seq 1 240); do
    compgen -G "$blocks/*/meta.json" >/dev/null && break
    sleep 1
  done
  sleep 5
  python3 - "$blocks" >"$out/blocks.json" <<'PY'
import glob, json, os, sys
samples = size = count = 0
for meta in glob.glob(os.path.join(sys.argv[1], "*", "meta.json")):
    d = os.path.dirname(meta)
    if os.path.basename(d).endswith(".tmp"): continue
    count += 1
    samples += json.load(open(meta))["stats"]["numSamples"]
    for root, _, files in os.walk(d):
        size += sum(os.path.getsize(os.path.join(root, f)) for f in files)
print(json.dumps({"blocks": count, "samples": samples, "bytes": size}))
PY
  rss_kib "$pid" >"$out/rss-end"
  curl -fs -H "Authorization: Bearer $token" "$metrics" >"$out/metrics-end.txt"
}

# Prometheus 2.42: empty configuration, remote-write receiver on.
: >"$WORK/prometheus.yml"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prometheus-data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-remote-write-receiver >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!; PIDS+=("$PROM_PID")
wait_http "http://127.0.0.1:$PROM_PORT/-/ready"
run_phases prometheus "$PROM_PID" "http://127.0.0.1:$PROM_PORT" - "http://127.0.0.1:$PROM_PORT/metrics" "$WORK/prometheus-data"
# Prometheus stays up, idle, for the query phase at the end.

# Vigil: Release build, an operator token, the /prometheus rate limit lifted for the load.
printf 'access:\n  rate_limits:\n    metrics: 100000000\n' >"$WORK/vigil.yaml"
echo "bench-password-$$-$RANDOM" >"$WORK/password"
dotnet src/Vigil/bin/Release/net10.0/vigil.dll admin create --username bench --password-stdin --data "$WORK/vigil-data" <"$WORK/password" >/dev/null
dotnet src/Vigil/bin/Release/net10.0/vigil.dll serve --config "$WORK/vigil.yaml" --data "$WORK/vigil-data" \
  --urls "http://127.0.0.1:$VIGIL_PORT" >"$WORK/vigil.log" 2>&1 &
VIGIL_PID=$!; PIDS+=("$VIGIL_PID")
wait_http "http://127.0.0.1:$VIGIL_PORT/health"
TOKEN=$(python3 bench/lib/token.py "http://127.0.0.1:$VIGIL_PORT" bench "$(cat "$WORK/password")" operator)
run_phases vigil "$VIGIL_PID" "http://127.0.0.1:$VIGIL_PORT/prometheus" "$TOKEN" "http://127.0.0.1:$VIGIL_PORT/metrics" "$WORK/vigil-data/metrics/blocks"

# Queries: both up, requests alternating between them, so both see the same machine load.
echo "queries (alternating)" >&2
$LOADER query "http://127.0.0.1:$PROM_PORT" - "http://127.0.0.1:$VIGIL_PORT/prometheus" "$TOKEN" "$T_END" "$QUERY_REPS" >"$WORK/queries.json"
python3 -c 'import json, sys; p, v = json.load(open(sys.argv[1])); json.dump(p, open(sys.argv[2], "w")); json.dump(v, open(sys.argv[3], "w"))' \
  "$WORK/queries.json" "$WORK/prometheus/queries.json" "$WORK/vigil/queries.json"
kill "$VIGIL_PID" "$PROM_PID"; wait "$VIGIL_PID" "$PROM_PID" 2>/dev/null || true

python3 bench/metrics/report.py "$WORK" "$SERIES" "$INGEST_STEPS" "$QUERY_REPS" "$SENDERS" "$BATCH"
