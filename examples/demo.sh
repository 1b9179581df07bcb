#!/usr/bin/env bash
# `make demo`: start the collector of `make run` (its embedded config), drive every
# endpoint of the GORM bookshop once, stop both, and show what querylens found.
set -euo pipefail
cd "$(dirname "$0")/.."

if curl -fs -o /dev/null http://127.0.0.1:13133/; then
  echo "A collector already answers on 127.0.0.1:13133 (make run?): stop it first." >&2
  exit 1
fi
work=$(mktemp -d)
out="$work/traces.jsonl"
QUERYLENS_TRACES_FILE="$out" bin/otelcol-querylens > "$work/collector.log" 2>&1 &
collector=$!
trap 'kill "$collector" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs -o /dev/null http://127.0.0.1:13133/ && break
  sleep 0.1
done

echo "== the bookshop, each endpoint once"
bin/bookshop -drive -addr 127.0.0.1:0 2>/dev/null
kill -TERM "$collector"
wait "$collector" || true
trap - EXIT

echo
echo "== querylens analyze $out"
bin/querylens analyze "$out" || true
echo
echo "(the collector's log, with a line per finding: $work/collector.log)"
