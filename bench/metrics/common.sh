# Sourced by the bench/metrics scripts (from the repository root): the Loader, the data's time
# window and the helpers they share. The query data set is 3.5 h at 15 s (QUERY_STEPS samples per
# series, both ends included) and starts at a 2 h boundary 5 h ago, so the first block covers a
# full 2 h in every system.
QUERY_STEPS=841
dotnet build -c Release bench/metrics/Loader -v q -nologo >/dev/null
LOADER="dotnet bench/metrics/Loader/bin/Release/net10.0/Loader.dll"
NOW=$(date +%s)
T0=$(( (NOW - 5 * 3600) / 7200 * 7200 * 1000 ))
T_END=$(( T0 + (QUERY_STEPS - 1) * 15000 ))
PIDS=()
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
wait_http() { for _ in $(seq 1 120); do curl -fs "$1" >/dev/null && return 0; sleep 1; done; echo "not up: $1" >&2; return 1; }
