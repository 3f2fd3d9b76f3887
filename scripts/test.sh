#!/usr/bin/env bash
# Runs Vigil's whole test suite on a fresh Debian machine: installs what the tests need when it is
# missing (PostgreSQL server binaries, Chromium, Prometheus's promtool, Alertmanager's amtool, afl++), builds, runs every test project
# and a bounded fuzzing run of the parsers, and ends with
# one line "N passed, N failed" counted from the test results (TRX files), not from xunit's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

need=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium fonts-liberation)
# promtool (Debian's prometheus package): the rule-test conformance tests compare with it live.
command -v promtool > /dev/null || need+=(prometheus)
# amtool (Debian's prometheus-alertmanager package): the Alertmanager API v2 tests drive it live.
command -v amtool > /dev/null || need+=(prometheus-alertmanager)
# victoria-metrics (Debian's victoria-metrics package): the remote_write and query_url tests forward to and query it live.
command -v victoria-metrics > /dev/null || need+=(victoria-metrics)
# afl-fuzz (Debian's afl++ package): the bounded fuzzing run of the parsers (fuzz/run.sh).
command -v afl-fuzz > /dev/null || need+=(afl++)
# npm (Debian's npm package): installs axe-core for the browser tests' accessibility check.
command -v npm > /dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing ${need[*]} with apt-get ..."
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null
fi
# axe-core, pinned by tests/Vigil.BrowserTests/axe/package-lock.json, injected by AccessibilityTests.
[ -f tests/Vigil.BrowserTests/axe/node_modules/axe-core/axe.min.js ] || npm ci --prefix tests/Vigil.BrowserTests/axe --no-audit --no-fund --silent
command -v dotnet > /dev/null || { echo "The .NET 10 SDK (dotnet) is required: https://dotnet.microsoft.com/download" >&2; exit 2; }

results="artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
export VIGIL_SCREENSHOTS="$PWD/artifacts/screenshots"

dotnet build Vigil.slnx -c Release --nologo -v quiet -clp:ErrorsOnly
status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?
done

# A bounded coverage-guided fuzzing run of each parser (fuzz/README.md); each target counts as
# one result, failed when it found a crash.
fuzz_passed=0
fuzz_failed=0
fuzz/run.sh "${VIGIL_FUZZ_SECONDS:-15}" || true
if [ -f fuzz/out/summary.tsv ]; then
  fuzz_passed=$(awk -F'\t' '$2 == 0' fuzz/out/summary.tsv | wc -l)
  fuzz_failed=$(awk -F'\t' '$2 != 0' fuzz/out/summary.tsv | wc -l)
fi
[ "$fuzz_passed" -gt 0 ] || fuzz_failed=$((fuzz_failed + 1)) # the run itself did not work

# Count from the TRX files: <Counters total=".." passed=".." failed=".." ...>
passed=$fuzz_passed
failed=$fuzz_failed
shopt -s nullglob
trx=("$results"/*.trx)
for file in "${trx[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$file" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<< "$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<< "$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<< "$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
done
projects=$(find tests -name '*.csproj' | wc -l)
if [ "${#trx[@]}" -lt "$projects" ]; then
  echo "only ${#trx[@]} of $projects test projects produced results (a test host crashed?)" >&2
  [ "$status" -ne 0 ] || status=1
fi
[ "$failed" -eq 0 ] || [ "$status" -ne 0 ] || status=1
if [ "$failed" -gt 0 ]; then
  # Name each failed test and the first lines of its message here, at the end of the log, where CI's tail shows it.
  echo "Failed tests:"
  python3 - "${trx[@]}" <<'PY' || grep -ho 'testName="[^"]*" [^>]*outcome="Failed"' "${trx[@]}" || true
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for path in sys.argv[1:]:
    for r in ET.parse(path).getroot().iterfind(".//t:UnitTestResult", ns):
        if r.get("outcome") in ("Failed", "Error"):
            message = r.findtext(".//t:Message", default="", namespaces=ns).strip().splitlines()
            print("  " + r.get("testName"))
            for line in message[:6]:
                print("      " + line)
PY
fi
echo "$passed passed, $failed failed"
exit "$status"
