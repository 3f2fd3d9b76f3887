#!/usr/bin/env bash
# Vigil alone, the ingest of vs-victoriametrics.sh: a fresh `vigil serve` (loopback, its own data
# directory), a warm-up push of 2,000 series, then 100,000 new series x 30 samples through
# remote-write (8 senders, 2,000 series a request); prints samples/s and resident bytes per series
# (RSS 10 s after the push minus before it). Faster than the three-system script, for alternating
# two builds: VIGIL_DIR=dir-with-vigil.dll (default src/Vigil/bin/Release/net10.0, built beforehand).
# With TRACE=file.nettrace, dotnet-trace (DOTNET_TRACE, default dotnet-trace) samples the server
# during the push (--profile dotnet-sampled-thread-time); convert with `dotnet-trace convert --format speedscope`.
#
# Usage: bench/metrics/vigil-ingest.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=${VIGIL_DIR:-src/Vigil/bin/Release/net10.0}
W=$(mktemp -d /tmp/vigil-ingest.XXXXXX)
PORT=18197
dotnet build -c Release bench/metrics/Loader -v q -nologo >/dev/null
printf 'access:\n  rate_limits:\n    metrics: 100000000\n' >"$W/vigil.yaml"
echo "bench-password-$$-$RANDOM" >"$W/password"
dotnet "$DIR/vigil.dll" admin create --username bench --password-stdin --data "$W/d" <"$W/password" >/dev/null
Logging__LogLevel__Default=Warning dotnet "$DIR/vigil.dll" serve --config "$W/vigil.yaml" --data "$W/d" --urls "http://127.0.0.1:$PORT" >"$W/log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$W"' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 1; done
TOKEN=$(python3 bench/lib/token.py "http://127.0.0.1:$PORT" bench "$(cat "$W/password")" operator)
BASE="http://127.0.0.1:$PORT/prometheus"
LOADER="dotnet bench/metrics/Loader/bin/Release/net10.0/Loader.dll"
T0=$(( ($(date +%s) - 5 * 3600) / 7200 * 7200 * 1000 ))
$LOADER push "$BASE" "$TOKEN" warmup:2000 "$T0" 20 15000 8 2000 20 >/dev/null
sleep 5
before=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
if [ -n "${TRACE:-}" ]; then
  "${DOTNET_TRACE:-dotnet-trace}" collect -p "$PID" --profile dotnet-sampled-thread-time -o "$TRACE" >"$W/trace.log" 2>&1 &
  TRACER=$!
  sleep 3
fi
echo "vigil: $DIR/vigil.dll; load average $(cut -d' ' -f1-3 /proc/loadavg)"
$LOADER push "$BASE" "$TOKEN" ingest:100000 "$T0" 30 15000 8 2000 30 |
  python3 -c 'import json, sys; d = json.load(sys.stdin); print("samples/s {:,.0f}, failures {}".format(d["samples_per_second"], d["failures"]))'
if [ -n "${TRACE:-}" ]; then
  kill -TERM "$TRACER" || true # dotnet-trace stops and writes the trace on SIGTERM (SIGINT is ignored in the background)
  wait "$TRACER" || true
fi
sleep 10
after=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
echo "resident bytes per series $(( (after - before) * 1024 / 100000 ))"
