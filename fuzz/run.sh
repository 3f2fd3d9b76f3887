#!/usr/bin/env bash
# Coverage-guided fuzzing of Vigil's parsers: SharpFuzz instruments the assemblies, AFL++ drives
# them. Usage: fuzz/run.sh SECONDS [TARGET...] (default: every target, SECONDS each).
# Findings land in fuzz/out/TARGET/default/{crashes,hangs}; a crash fails the run. See fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(exposition remote-write promql config rules template)
fi
if ! command -v afl-fuzz >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get install -y --no-install-recommends afl++ >/dev/null
fi
out=fuzz/out
rm -rf "$out"
dotnet tool restore >/dev/null
dotnet build fuzz/Vigil.Fuzz -c Release -v q -nologo >/dev/null
mkdir -p "$out"
cp -r fuzz/Vigil.Fuzz/bin/Release/net10.0 "$out/bin"
# Instrument the assemblies whose parsers are fuzzed (SharpFuzz rewrites them in place).
for dll in Vigil.Metrics.dll vigil.dll; do
  dotnet sharpfuzz "$out/bin/$dll" >/dev/null
done
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_QUIET=1
crashes=0
: > "$out/summary.tsv"
for target in "${targets[@]}"; do
  afl-fuzz -i "fuzz/corpus/$target" -o "$out/$target" -V "$seconds" -t 10000 -m none -- dotnet "$out/bin/Vigil.Fuzz.dll" "$target" >"$out/$target.log" 2>&1 || {
    echo "$target: afl-fuzz failed, see $out/$target.log"; tail -5 "$out/$target.log"; exit 1; }
  stats="$out/$target/default/fuzzer_stats"
  execs=$(awk -F': *' '/^execs_done/ {print $2}' "$stats")
  paths=$(awk -F': *' '/^corpus_count/ {print $2}' "$stats")
  found=$(find "$out/$target/default/crashes" -type f -name 'id:*' | wc -l)
  hangs=$(find "$out/$target/default/hangs" -type f -name 'id:*' | wc -l)
  echo "$target: ${seconds}s, $execs executions, $paths inputs in the queue, $found crashes, $hangs hangs"
  printf '%s\t%s\t%s\t%s\n' "$target" "$found" "$hangs" "$execs" >> "$out/summary.tsv"
  if [ "$found" -gt 0 ]; then
    crashes=$((crashes + found))
    # Replayed on the uninstrumented build: instrumented code needs afl-fuzz around it.
    dotnet fuzz/Vigil.Fuzz/bin/Release/net10.0/Vigil.Fuzz.dll replay "$target" "$out/$target/default/crashes" || true
  fi
done
[ "$crashes" -eq 0 ]
