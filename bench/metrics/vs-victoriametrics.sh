#!/usr/bin/env bash
# bench/metrics: Prometheus 2.42, VictoriaMetrics 1.79 (Debian's `victoria-metrics`, single node) and
# Vigil side by side, on this machine, loopback only, each started fresh in its own temporary data
# directory, in turn within each round (the order rotates from round to round, so no system always
# runs first on a machine that is shared).
#
# Per round and system:
#  - ingest: after a warm-up push of WARMUP_SERIES (environment, default 2,000) other series x 20
#    samples, SERIES new series x STEPS samples at 15 s
#    spacing through remote-write (bench/metrics/Loader, bodies encoded beforehand, SENDERS
#    concurrent senders), samples per second until every request got its 2xx;
#  - memory per active series: RSS 10 s after that push minus RSS before it (after the warm-up), / SERIES.
# Then, once, the query set of Loader/Queries.cs over the 10,000-series query data set (3.5 h at
# 15 s), pushed into all three, with the three up and their requests alternating: median and p99.
#
# Usage: bench/metrics/vs-victoriametrics.sh [rounds=3] [series=100000] [steps=30] [senders=8] [batch=2000] [query_reps=30]
# VIGIL_DIR=path runs the vigil.dll in that directory (a build kept aside, e.g. the one before a change)
# instead of building src/Vigil and running its Release output.
# WARMUP_SERIES=n: a larger warm-up push measures the ingest of a server that has been running (.NET's
# tiered compiler re-compiles hot code optimized only after it ran a while and in the background; with
# the default 2,000 series much of Vigil's push runs before that). Every system gets the same warm-up.
set -euo pipefail
cd "$(dirname "$0")/../.."
WARMUP_SERIES=${WARMUP_SERIES:-2000}
ROUNDS=${1:-3}; SERIES=${2:-100000}; STEPS=${3:-30}; SENDERS=${4:-8}; BATCH=${5:-2000}; QUERY_REPS=${6:-30}
WORK=$(mktemp -d /tmp/vigil-bench-vm.XXXXXX)
PROM_PORT=18094; VM_PORT=18095; VIGIL_PORT=18096
echo "work directory: $WORK" >&2
if [ -z "${VIGIL_DIR:-}" ]; then
  dotnet build -c Release src/Vigil -v q -nologo >/dev/null
fi
VIGIL_DLL="${VIGIL_DIR:-src/Vigil/bin/Release/net10.0}/vigil.dll"
echo "vigil: $VIGIL_DLL" >&2
source bench/metrics/common.sh
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
printf 'access:\n  rate_limits:\n    metrics: 100000000\n' >"$WORK/vigil.yaml"
echo "bench-password-$$-$RANDOM" >"$WORK/password"

# start SYSTEM DIR: starts it, sets PID, BASE (remote-write and query base) and TOKEN.
start() {
  case $1 in
    prometheus)
      : >"$WORK/prometheus.yml"
      prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$2" \
        --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-remote-write-receiver >"$2.log" 2>&1 &
      PID=$!; BASE="http://127.0.0.1:$PROM_PORT"; TOKEN=-
      wait_http "$BASE/-/ready" ;;
    victoria-metrics)
      # -search.disableCache: VictoriaMetrics answers a repeated query from its rollup result cache
      # (0.7 ms for a sum over 10,000 series in a first try); Prometheus and Vigil have no such
      # cache, so without this the query set would compare a cache with two engines.
      victoria-metrics -storageDataPath="$2" -httpListenAddr="127.0.0.1:$VM_PORT" -retentionPeriod=100y -search.disableCache >"$2.log" 2>&1 &
      PID=$!; BASE="http://127.0.0.1:$VM_PORT"; TOKEN=-
      wait_http "$BASE/health" ;;
    vigil)
      dotnet "$VIGIL_DLL" admin create --username bench --password-stdin --data "$2" <"$WORK/password" >/dev/null
      Logging__LogLevel__Default=Warning dotnet "$VIGIL_DLL" serve --config "$WORK/vigil.yaml" --data "$2" \
        --urls "http://127.0.0.1:$VIGIL_PORT" >"$2.log" 2>&1 &
      PID=$!; BASE="http://127.0.0.1:$VIGIL_PORT/prometheus"
      wait_http "http://127.0.0.1:$VIGIL_PORT/health"
      TOKEN=$(python3 bench/lib/token.py "http://127.0.0.1:$VIGIL_PORT" bench "$(cat "$WORK/password")" operator) ;;
  esac
  PIDS+=("$PID")
}

SYSTEMS=(prometheus victoria-metrics vigil)
for round in $(seq 1 "$ROUNDS"); do
  for k in 0 1 2; do
    system=${SYSTEMS[$(( (k + round - 1) % 3 ))]}
    start "$system" "$WORK/$system-$round"
    $LOADER push "$BASE" "$TOKEN" "warmup:$WARMUP_SERIES" "$T0" 20 15000 "$SENDERS" "$BATCH" 20 >/dev/null
    sleep 5
    load=$(cut -d' ' -f1 /proc/loadavg); before=$(rss_kib "$PID")
    $LOADER push "$BASE" "$TOKEN" "ingest:$SERIES" "$T0" "$STEPS" 15000 "$SENDERS" "$BATCH" "$STEPS" >"$WORK/$system-$round.json"
    sleep 10
    after=$(rss_kib "$PID")
    python3 -c 'import json, sys; d = json.load(open(sys.argv[2])); print(json.dumps({"system": sys.argv[1], "round": int(sys.argv[6]), "load_before": float(sys.argv[3]),
      "samples_per_second": round(d["samples_per_second"]), "failures": d["failures"], "bytes_per_series": round((int(sys.argv[5]) - int(sys.argv[4])) * 1024 / int(sys.argv[7]))}))' \
      "$system" "$WORK/$system-$round.json" "$load" "$before" "$after" "$round" "$SERIES" | tee -a "$WORK/results.jsonl"
    kill "$PID"; wait "$PID" 2>/dev/null || true
    rm -rf "$WORK/$system-$round"
  done
done

# Queries: the query data set in all three, then the set alternating between them.
QUERY_ARGS=()
for system in "${SYSTEMS[@]}"; do
  start "$system" "$WORK/$system-query"
  echo "$system: query data push (3.5 h)" >&2
  $LOADER push "$BASE" "$TOKEN" query "$T0" "$QUERY_STEPS" 15000 "$SENDERS" 10000 40 >/dev/null
  QUERY_ARGS+=("$BASE" "$TOKEN")
done
sleep 10
$LOADER query "${QUERY_ARGS[@]}" "$T_END" "$QUERY_REPS" >"$WORK/queries.json"

python3 - "$WORK/results.jsonl" "$WORK/queries.json" "$SERIES" "$STEPS" "$SENDERS" "$BATCH" "$QUERY_REPS" "$WARMUP_SERIES" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
systems = ["prometheus", "victoria-metrics", "vigil"]
print(f"ingest: {sys.argv[3]} new series x {sys.argv[4]} samples, {sys.argv[5]} senders, {sys.argv[6]} series per request, after a warm-up of {sys.argv[8]} other series; "
      f"{max(r['round'] for r in rows)} rounds, systems in rotating order; load average before each push "
      f"{min(r['load_before'] for r in rows):.1f}-{max(r['load_before'] for r in rows):.1f}")
print("| system | samples/s (median of rounds) | x Prometheus | bytes per active series (median) |")
print("|---|---|---|---|")
med = {s: statistics.median(r["samples_per_second"] for r in rows if r["system"] == s) for s in systems}
mem = {s: statistics.median(r["bytes_per_series"] for r in rows if r["system"] == s) for s in systems}
for s in systems:
    print(f"| {s} | {med[s]:,.0f} | {med[s] / med['prometheus']:.2f} | {mem[s]:,.0f} |")
print(f"Vigil / VictoriaMetrics: ingest {med['vigil'] / med['victoria-metrics']:.2f}x, memory per series {mem['vigil'] / mem['victoria-metrics']:.2f}x")
per_system = dict(zip(systems, json.load(open(sys.argv[2]))))
print(f"\nqueries over 10,000 series, {sys.argv[7]} repetitions each, the three alternating; ms, median / p99:")
print("| query | Prometheus | VictoriaMetrics | Vigil | Vigil / Prometheus (median) | Vigil / VictoriaMetrics (median) |")
print("|---|---:|---:|---:|---:|---:|")
cell = lambda q: q.get("error") or f"{q['median_ms']:.1f} / {q['p99_ms']:.1f}"
ratios = {"prometheus": [], "victoria-metrics": []}
for qp in per_system["prometheus"]:
    key = (qp["query"], qp["kind"])
    qm = next((q for q in per_system["victoria-metrics"] if (q["query"], q["kind"]) == key), {"error": "missing"})
    qv = next((q for q in per_system["vigil"] if (q["query"], q["kind"]) == key), {"error": "missing"})
    rp = rm = ""
    if not (qp.get("error") or qv.get("error")):
        ratios["prometheus"].append(qv["median_ms"] / qp["median_ms"]); rp = f"{ratios['prometheus'][-1]:.2f}x"
    if not (qm.get("error") or qv.get("error")):
        ratios["victoria-metrics"].append(qv["median_ms"] / qm["median_ms"]); rm = f"{ratios['victoria-metrics'][-1]:.2f}x"
    print(f"| {key[1]} `{key[0]}` | {cell(qp)} | {cell(qm)} | {cell(qv)} | {rp} | {rm} |")
for other, values in ratios.items():
    if values:
        print(f"Vigil / {other}, median of the per-query median ratios: {statistics.median(values):.2f}x")
PY
echo "raw query timings: $WORK/queries.json" >&2
