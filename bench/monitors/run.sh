#!/usr/bin/env bash
# bench/monitors: 10,000 HTTP monitors at 10 s against local targets, measured over a steady window.
# Usage: bench/monitors/run.sh [monitors=10000] [seconds=120] [warmup=30]
# Prints a Markdown block for bench/RESULTS.md. Needs: dotnet, python3. Loopback only.
# VIGIL_BIN=<dir with vigil.dll> runs that build instead of building src/Vigil (to alternate a
# before and an after build in one sitting); the directory name is printed with the numbers.
# PROFILE=<seconds>: after the measured window, a GC heap dump (dotnet-gcdump) and a CPU profile
# of that many seconds (perf record -g at 199 Hz; the server runs with DOTNET_PerfMapEnabled=1 so
# JIT-compiled methods have names, and DOTNET_EnableWriteXorExecute=0 so perf finds them) go to the work directory; perf report --no-children -i perf.data
# reads it. dotnet-gcdump is looked up in $TOOLS (default /tmp/tools):
# dotnet tool install --tool-path /tmp/tools dotnet-gcdump dotnet-counters.
# MEMORY=1: after the measured window, smaps and smaps_rollup (grouped by bench/monitors/smaps.py
# and printed), dotnet-counters (System.Runtime, 5 s) and a GC heap dump, without changing the
# server's environment as PROFILE does (W^X off changes the RSS being measured).
# Any DOTNET_* variable in the caller's environment reaches the server (runtime ones are printed).
set -euo pipefail
cd "$(dirname "$0")/../.."
MONITORS=${1:-10000}; SECONDS_MEASURED=${2:-120}; WARMUP=${3:-30}
WORK=$(mktemp -d /tmp/vigil-bench-monitors.XXXXXX)
VIGIL_PORT=18080; TARGET_PORT=18081
if [ -z "${VIGIL_BIN:-}" ]; then
  dotnet build -c Release src/Vigil -v q -nologo >/dev/null
  VIGIL_BIN=src/Vigil/bin/Release/net10.0
fi
dotnet build -c Release bench/monitors/Target -v q -nologo >/dev/null
python3 bench/monitors/make-config.py "$MONITORS" "http://127.0.0.1:$TARGET_PORT" "$WORK/vigil.yaml"

echo "bench-password-$$-$RANDOM" >"$WORK/password"
dotnet "$VIGIL_BIN/vigil.dll" admin create --username bench --password-stdin --data "$WORK/data" <"$WORK/password" >/dev/null
dotnet bench/monitors/Target/bin/Release/net10.0/Target.dll "http://127.0.0.1:$TARGET_PORT" >"$WORK/target.log" 2>&1 &
TARGET_PID=$!
[ -n "${PROFILE:-}" ] && export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
dotnet "$VIGIL_BIN/vigil.dll" serve --config "$WORK/vigil.yaml" --data "$WORK/data" --urls "http://127.0.0.1:$VIGIL_PORT" >"$WORK/vigil.log" 2>&1 &
VIGIL_PID=$!
trap 'kill $VIGIL_PID $TARGET_PID 2>/dev/null || true' EXIT
echo "work directory: $WORK" >&2
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$VIGIL_PORT/health" >/dev/null && break; sleep 1; done
TOKEN=$(python3 bench/lib/token.py "http://127.0.0.1:$VIGIL_PORT" bench "$(cat "$WORK/password")")
sleep "$WARMUP"

ticks() { awk '{print $14+$15}' "/proc/$VIGIL_PID/stat"; }
curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$VIGIL_PORT/metrics" >"$WORK/metrics-start.txt"
CPU_START=$(ticks); T_START=$(date +%s.%N)
: >"$WORK/rss.txt"
for _ in $(seq 1 "$SECONDS_MEASURED"); do
  awk '/VmRSS/ {print $2}' "/proc/$VIGIL_PID/status" >>"$WORK/rss.txt"; sleep 1
done
CPU_END=$(ticks); T_END=$(date +%s.%N)
echo "$CPU_START $CPU_END $T_START $T_END" >"$WORK/cpu.txt"
curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$VIGIL_PORT/metrics" >"$WORK/metrics-end.txt"
if [ -n "${PROFILE:-}" ] || [ -n "${MEMORY:-}" ]; then
  TOOLS=${TOOLS:-/tmp/tools}
  cat "/proc/$VIGIL_PID/smaps" >"$WORK/smaps.txt"
  cat "/proc/$VIGIL_PID/smaps_rollup" >"$WORK/smaps_rollup.txt"
  "$TOOLS/dotnet-counters" collect -p "$VIGIL_PID" --counters System.Runtime --duration 00:00:00:05 --refresh-interval 1 --format csv -o "$WORK/counters.csv" >/dev/null 2>&1 || true
  "$TOOLS/dotnet-gcdump" collect -p "$VIGIL_PID" -o "$WORK/vigil.gcdump" >&2 || true
  echo "memory: $WORK/smaps.txt (python3 bench/monitors/smaps.py $WORK/smaps.txt), $WORK/counters.csv, $WORK/vigil.gcdump (dotnet-gcdump report)" >&2
fi
if [ -n "${PROFILE:-}" ]; then
  perf record -F 199 -g -p "$VIGIL_PID" -o "$WORK/perf.data" -- sleep "$PROFILE" >&2 2>&1 || true
  echo "profile: $WORK/perf.data, $WORK/vigil.gcdump" >&2
fi

python3 - "$WORK" "$CPU_START" "$CPU_END" "$T_START" "$T_END" "$MONITORS" "$VIGIL_BIN" <<'PY'
import os, re, sys
work, c0, c1, t0, t1, monitors = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
print(f"- build: {sys.argv[7]}; load average at the end: {open('/proc/loadavg').read().split()[0:3]}")
env = " ".join(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("DOTNET_") and not k.startswith("DOTNET_CLI_") and k not in ("DOTNET_NOLOGO", "DOTNET_GENERATE_ASPNET_CERTIFICATE"))
print(f"- environment: {env or '(no DOTNET_* variables)'}")
def read(name):
    values = {}
    for line in open(os.path.join(work, name)):
        m = re.match(r'^(vigil_monitor_\w+)(\{[^}]*\})? ([0-9.eE+-]+)$', line.strip())
        if m: values[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return values
a, b = read("metrics-start.txt"), read("metrics-end.txt")
elapsed = t1 - t0
checks = {k: b[k] - a.get(k, 0) for k in b if k.startswith("vigil_monitor_checks_total")}
total = sum(checks.values())
buckets = sorted(((float(re.search(r'le="([^"]+)"', k).group(1).replace("+Inf", "inf")), b[k] - a.get(k, 0)) for k in b if k.startswith("vigil_monitor_check_lateness_seconds_bucket")))
count = buckets[-1][1]
def quantile(q):
    rank, lower, below = q * count, 0.0, 0.0
    for le, cum in buckets:
        if cum >= rank:
            if le == float("inf"): return lower
            return lower + (le - lower) * ((rank - below) / max(cum - below, 1))
        lower, below = le, cum
    return lower
hz = os.sysconf("SC_CLK_TCK")
rss = [int(x) for x in open(os.path.join(work, "rss.txt")) if x.strip()]
print(f"- monitors: {monitors} HTTP at a 10 s interval (half /ok, a quarter /slow 300 ms, a quarter /fail 503)")
print(f"- measured: {elapsed:.0f} s after warm-up")
by_result = ", ".join("%s %.0f/s" % (re.search(r'result="(\w+)"', k).group(1), v / elapsed) for k, v in sorted(checks.items()))
print(f"- checks/s sustained: {total / elapsed:.0f} (scheduled {monitors / 10:.0f}); by result: {by_result}")
print(f"- lateness against schedule: p50 {quantile(0.5) * 1000:.1f} ms, p99 {quantile(0.99) * 1000:.1f} ms (interpolated in histogram buckets)")
print(f"- server CPU: {(c1 - c0) / hz / elapsed:.2f} cores (user+system of the vigil process)")
print(f"- server memory (RSS): mean {sum(rss) / len(rss) / 1024:.0f} MiB, max {max(rss) / 1024:.0f} MiB")
PY
