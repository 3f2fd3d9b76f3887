#!/usr/bin/env bash
# Records Prometheus 2.42's answers to the requests in requests.tsv over the data in
# grafana-data.om.gz, into answers/NAME.STATUS.json. Needs Debian 12's prometheus package
# (apt-get install prometheus). Prometheus listens on loopback only and is stopped afterwards.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
zcat grafana-data.om.gz > "$work/data.om"
promtool tsdb create-blocks-from openmetrics "$work/data.om" "$work/tsdb" > /dev/null
printf 'global:\n  scrape_interval: 1h\nscrape_configs: []\n' > "$work/prometheus.yml"
port=19090
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$port" > "$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/-/ready" > /dev/null && break; sleep 0.2; done
rm -rf answers && mkdir answers
while IFS=$'\t' read -r name method path rest; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  args=()
  IFS=$'\t' read -r -a params <<< "$rest"
  for p in "${params[@]}"; do args+=(--data-urlencode "$p"); done
  if [ "$method" = GET ]; then args+=(--get); fi
  status=$(curl -s -o "$work/body" -w '%{http_code}' "${args[@]}" "http://127.0.0.1:$port$path")
  cp "$work/body" "answers/$name.$status.json"
done < requests.tsv
prometheus --version 2>&1 | head -1 > answers/VERSION
ls answers | wc -l
