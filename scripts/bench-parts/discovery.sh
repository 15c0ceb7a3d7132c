# shellcheck shell=bash disable=SC2154,SC2034  # sourced by scripts/bench, which sets the globals
# Discovery over mdns, with real processes (bench-discovery): one run, which takes its own median
# and max over DISCOVERY_RUNS runs of each figure. No peer. Sourced by scripts/bench.

discovery=""

bench_discovery() {
  echo "bench: discovery over mdns ($DISCOVERY_RUNS runs each)" >&2
  if ! "${AVAHI[@]}" start || ! discovery=$("$BIN/bench-discovery" "$DISCOVERY_RUNS"); then
    echo "bench: discovery skipped (no Avahi daemon, or bench-discovery failed)" >&2
    discovery=""
  fi
}

discovery_rows() {
  [[ -n $discovery ]] || return 0
  local key figure
  while IFS='|' read -r key figure; do
    add_row "discovery ms: $figure" "$(field "$discovery" "$key")" "—" "" ms
  done <<'ROWS'
start_call_p50_ms|service start → first call, median
start_call_max_ms|service start → first call, max
kill_gone_p50_ms|SIGKILLed node → gone from client cache, median
kill_gone_max_ms|SIGKILLed node → gone from client cache, max
term_gone_p50_ms|SIGTERMed node → gone from client cache, median
term_gone_max_ms|SIGTERMed node → gone from client cache, max
cli_call_p50_ms|`micro call`, fresh process end to end, median
ROWS
}
