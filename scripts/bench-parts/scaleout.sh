# shellcheck shell=bash disable=SC2154,SC2034  # sourced by scripts/bench, which sets the globals
# Nodes joining and leaving under steady load (bench-scaleout): a greeter service at 2,000 calls/s
# gets a 2nd and a 3rd node, then loses them by SIGTERM; over mdns and over etcd (started here
# in a state folder of its own, stopped by its PID). No peer: the figures are times and failed
# calls (target 0). Sourced by scripts/bench.

scaleout_mdns=""
scaleout_etcd=""
SCALEOUT_RUNS="${SCALEOUT_RUNS:-3}"
ETCD=(env ETCD_STATE_DIR="$(realpath -m "$BUILD")/bench/etcd.$$" ETCD_PORT="${BENCH_ETCD_PORT:-23790}"
      ETCD_PEER_PORT="${BENCH_ETCD_PEER_PORT:-23800}" "$root/scripts/etcd")

bench_scaleout() {
  echo "bench: nodes joining and leaving under load ($SCALEOUT_RUNS runs each, mdns and etcd)" >&2
  if ! "${AVAHI[@]}" start || ! scaleout_mdns=$(MICRO_REGISTRY=mdns "$BIN/bench-scaleout" "$SCALEOUT_RUNS"); then
    echo "bench: scale-out over mdns skipped (no Avahi daemon, or bench-scaleout failed)" >&2
    scaleout_mdns=""
  fi
  if ! "${ETCD[@]}" start >/dev/null; then
    echo "bench: scale-out over etcd skipped (scripts/etcd start failed)" >&2
    return 0
  fi
  scaleout_etcd=$(MICRO_REGISTRY=etcd MICRO_REGISTRY_ADDRESS="http://127.0.0.1:${BENCH_ETCD_PORT:-23790}" \
    "$BIN/bench-scaleout" "$SCALEOUT_RUNS") || { echo "bench: bench-scaleout over etcd failed" >&2; scaleout_etcd=""; }
  "${ETCD[@]}" stop --wipe >/dev/null 2>&1 || true
  rm -rf "$(realpath -m "$BUILD")/bench/etcd.$$"
}

scaleout_rows() {
  local registry line key figure unit
  for registry in mdns etcd; do
    local var="scaleout_$registry"
    line=${!var}
    [[ -n $line ]] || continue
    while IFS='|' read -r key unit figure; do
      add_row "scale-out ($registry): $figure" "$(field "$line" "$key")" "—" "" "$unit"
    done <<'ROWS'
join2_first_call_ms|ms|2nd node spawned → its first call, median
join2_fair_ms|ms|2nd node spawned → fair share (≥ 3/4 of 1/2 over the last 100 ms), median
join2_share_pct|%|2nd node's share in the second after
join3_fair_ms|ms|3rd node spawned → fair share (≥ 3/4 of 1/3), median
join3_share_pct|%|3rd node's share in the second after
leave2_last_call_ms|ms|SIGTERM → the node's last call answered, median
failed_join_max|calls|failed calls while nodes joined, worst run
failed_leave_max|calls|failed calls while nodes left by SIGTERM, worst run
ROWS
  done
}

scaleout_note() {
  [[ -z $scaleout_mdns$scaleout_etcd ]] || echo "scale-out: greeter-server processes, 8 caller threads at 2,000 calls/s through the client's random selector, $SCALEOUT_RUNS runs each; etcd on loopback"
}
