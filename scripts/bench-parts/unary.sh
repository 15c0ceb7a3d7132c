# shellcheck shell=bash disable=SC2154,SC2034  # sourced by scripts/bench, which sets the globals
# Unary RPC, two processes over loopback: micro against raw CAF (same CAF config), gRPC C++ (sync
# and callback API; the table takes the faster) and the raw TCP floor. p50/p99 with 1 call in
# flight, calls/s with 1, 16 and 64 in flight, 64 B and 4 KiB. Sourced by scripts/bench.

unary_peers=(micro caf tcp)
[[ -z $have_grpc ]] || unary_peers=(micro caf grpc_sync grpc_cb tcp)
unary_configs=("1 64" "1 4096" "16 64" "16 4096" "64 64" "64 4096")

# make_bench_certs DIR: a throwaway CA and a node certificate for 127.0.0.1 (the TLS rows).
make_bench_certs() {
  local d=$1
  mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/ca.key" -out "$d/ca.crt" \
    -days 2 -subj /CN=bench-ca 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/node.key" -out "$d/node.csr" \
    -subj /CN=node -addext subjectAltName=IP:127.0.0.1 2>/dev/null
  openssl x509 -req -in "$d/node.csr" -copy_extensions copy -CA "$d/ca.crt" -CAkey "$d/ca.key" \
    -CAcreateserial -out "$d/node.crt" -days 2 2>/dev/null
}

start_unary_servers() {
  # The rows named plainly "micro" are the caf transport (BASP; MICRO_TRANSPORT=caf pinned, the
  # table's first rows since before tcp existed); the tcp transport, the default, has its rows.
  start_server micro MICRO_TRANSPORT=caf "$BIN/bench-echo-server" micro
  start_server caf "$BIN/bench-echo-server" caf
  start_server stealing MICRO_TRANSPORT=caf MICRO_SCHEDULER=stealing MICRO_SCHEDULER_THREADS=4 "$BIN/bench-echo-server" micro
  start_server tcp "$BIN/bench-tcp-floor-server"
  # micro's own tcp transport (issue 14): the same echo server, calls over transport/tcp.
  start_server tcpt MICRO_TRANSPORT=tcp "$BIN/bench-echo-server" micro
  # The cost of metrics (issue 18): the same echo server and client with MICRO_METRICS=off.
  start_server nometrics MICRO_TRANSPORT=caf MICRO_METRICS=off "$BIN/bench-echo-server" micro
  # The cost of TLS (issue 20): the same echo server with MICRO_TLS_*, on each transport.
  make_bench_certs "$workdir/tls"
  local tls=(MICRO_TLS_CERT="$workdir/tls/node.crt" MICRO_TLS_KEY="$workdir/tls/node.key" MICRO_TLS_CA="$workdir/tls/ca.crt")
  start_server tlscaf "${tls[@]}" MICRO_TRANSPORT=caf "$BIN/bench-echo-server" micro
  start_server tlstcp "${tls[@]}" MICRO_TRANSPORT=tcp "$BIN/bench-echo-server" micro
  if [[ -n $have_grpc ]]; then
    start_server grpc_sync "$BIN/bench-grpc-server" sync
    start_server grpc_cb "$BIN/bench-grpc-server" callback
  fi
}

# unary_run LABEL [VAR=value...] COMMAND...: one run; its p50, p99 and rate join LABEL's samples.
unary_run() {
  local label=$1 json; shift
  json=$(env "$@")
  [[ $(field "$json" failed) == 0 ]] || { echo "bench: $label: failed calls: $json" >&2; return 0; }
  add_sample "$label.p50" "$(field "$json" p50_us)"
  add_sample "$label.p99" "$(field "$json" p99_us)"
  add_sample "$label.rate" "$(field "$json" calls_per_s)"
}

# unary_multi LABEL N COMMAND...: N client processes at once against one server, each making
# the same run; their calls/s summed join LABEL's samples. Each process measures its own run after
# its own warm-up, so the sum is the rate while all N run (the start-up skew is a few ms against
# runs of a second or more).
unary_multi() {
  local label=$1 n=$2 i total=0 json rate; shift 2
  local procs=()
  for i in $(seq "$n"); do
    env "$@" >"$workdir/multi.$i.out" 2>/dev/null &
    procs+=("$!")
  done
  for i in "${procs[@]}"; do wait "$i" || true; done
  for i in $(seq "$n"); do
    json=$(cat "$workdir/multi.$i.out")
    [[ $(field "$json" failed) == 0 ]] || { echo "bench: $label: client $i failed: $json" >&2; return 0; }
    rate=$(field "$json" calls_per_s)
    total=$(awk -v a="$total" -v b="$rate" 'BEGIN { print a + b }')
  done
  add_sample "$label.rate" "$total"
}

# unary_measure PEER INFLIGHT PAYLOAD
unary_measure() {
  local peer=$1 k=$2 p=$3
  case $peer in
    micro) unary_run "$peer.$k.$p" "$BIN/bench-rpc-client" micro "$port_micro" "$k" "$p" "$CALLS" ;;
    caf) unary_run "$peer.$k.$p" "$BIN/bench-rpc-client" caf "$port_caf" "$k" "$p" "$CALLS" ;;
    grpc_sync) unary_run "$peer.$k.$p" "$BIN/bench-grpc-client" sync "$port_grpc_sync" "$k" "$p" "$CALLS" ;;
    grpc_cb) unary_run "$peer.$k.$p" "$BIN/bench-grpc-client" callback "$port_grpc_cb" "$k" "$p" "$CALLS" ;;
    tcp) unary_run "$peer.$k.$p" "$BIN/bench-tcp-floor-client" "$port_tcp" "$k" "$p" "$CALLS" ;;
  esac
}

bench_unary() {
  for rep in $(seq "$REPS"); do
    echo "bench: unary, repetition $rep/$REPS" >&2
    for cfg in "${unary_configs[@]}"; do
      read -r k p <<<"$cfg"
      for peer in "${unary_peers[@]}"; do unary_measure "$peer" "$k" "$p"; done
    done
    # The scheduler policy: sharing (micro's default) against work stealing.
    for k in 1 64; do
      unary_run "stealing.$k.64" MICRO_SCHEDULER=stealing MICRO_SCHEDULER_THREADS=4 \
        "$BIN/bench-rpc-client" micro "$port_stealing" "$k" 64 "$CALLS"
      unary_run "sharing.$k.64" "$BIN/bench-rpc-client" micro "$port_micro" "$k" 64 "$CALLS"
      # The same echo declared non-blocking (endpoint_options::with_inline): no thread hand-off.
      unary_run "inline.$k.64" BENCH_ENDPOINT=Bench.EchoInline "$BIN/bench-rpc-client" micro "$port_micro" "$k" 64 "$CALLS"
      # The tcp transport, pooled and inline handlers.
      unary_run "tcpt.$k.64" "$BIN/bench-rpc-client" micro-tcp "$port_tcpt" "$k" 64 "$CALLS"
      unary_run "tcpt_inline.$k.64" BENCH_ENDPOINT=Bench.EchoInline "$BIN/bench-rpc-client" micro-tcp "$port_tcpt" "$k" 64 "$CALLS"
      # Metrics on (the default) and off, back to back, on both sides of the call.
      unary_run "metrics_on.$k.64" "$BIN/bench-rpc-client" micro "$port_micro" "$k" 64 "$CALLS"
      unary_run "metrics_off.$k.64" MICRO_METRICS=off "$BIN/bench-rpc-client" micro "$port_nometrics" "$k" 64 "$CALLS"
      # TLS on each transport, beside the plaintext runs above (sharing, tcpt).
      unary_run "tls_caf.$k.64" MICRO_TLS_CA="$workdir/tls/ca.crt" "$BIN/bench-rpc-client" micro "$port_tlscaf" "$k" 64 "$CALLS"
      unary_run "tls_tcp.$k.64" MICRO_TLS_CA="$workdir/tls/ca.crt" "$BIN/bench-rpc-client" micro-tcp "$port_tlstcp" "$k" 64 "$CALLS"
    done
    # 4 client processes against one server, 16 in flight each (64 in all, as the one-process
    # figure): how calls/s scales with connections.
    unary_multi "multi_tcpt.4x16" 4 "$BIN/bench-rpc-client" micro-tcp "$port_tcpt" 16 64 "$CALLS"
    unary_multi "multi_tcpt_inline.4x16" 4 BENCH_ENDPOINT=Bench.EchoInline "$BIN/bench-rpc-client" micro-tcp \
      "$port_tcpt" 16 64 "$CALLS"
    unary_multi "multi_caf.4x16" 4 "$BIN/bench-rpc-client" micro "$port_micro" 16 64 "$CALLS"
    [[ -z $have_grpc ]] || unary_multi "multi_grpc_cb.4x16" 4 "$BIN/bench-grpc-client" callback "$port_grpc_cb" 16 64 "$CALLS"
  done
}

# unary_rows FIGURE LABEL_SUFFIX METRIC: micro against each peer for one figure.
unary_rows() {
  local figure=$1 s=$2 m=$3 unit=us
  [[ $m == rate ]] && unit=rate
  local micro
  micro=$(med "micro.$s.$m")
  add_row "$figure" "$micro" "raw CAF" "$(med "caf.$s.$m")" "$unit"
  if [[ -n $have_grpc ]]; then
    grpc_best_row "$figure" "$micro" "$m" "$unit" "$(med "grpc_sync.$s.$m")" "$(med "grpc_cb.$s.$m")"
  fi
  add_row "$figure" "$micro" "TCP floor" "$(med "tcp.$s.$m")" "$unit"
}

unary_table() {
  for cfg in "${unary_configs[@]}"; do
    read -r k p <<<"$cfg"
    if [[ $k == 1 ]]; then
      unary_rows "unary p50 latency µs, 1 in flight, $p B" "$k.$p" p50
      unary_rows "unary p99 latency µs, 1 in flight, $p B" "$k.$p" p99
    fi
    unary_rows "unary calls/s, $k in flight, $p B" "$k.$p" rate
  done
  add_row "micro p50 µs, 1 in flight, 64 B: sharing scheduler (default) vs stealing(4)" \
    "$(med sharing.1.64.p50)" "stealing" "$(med stealing.1.64.p50)" us
  add_row "micro calls/s, 64 in flight, 64 B: sharing scheduler (default) vs stealing(4)" \
    "$(med sharing.64.64.rate)" "stealing" "$(med stealing.64.64.rate)" rate
  # What recording metrics costs: ratio on/off (p50: above 1 is slower; calls/s: below 1 is slower).
  add_row "micro p50 µs, 1 in flight, 64 B: metrics on (default) vs MICRO_METRICS=off" \
    "$(med metrics_on.1.64.p50)" "metrics off" "$(med metrics_off.1.64.p50)" us
  add_row "micro calls/s, 1 in flight, 64 B: metrics on (default) vs MICRO_METRICS=off" \
    "$(med metrics_on.1.64.rate)" "metrics off" "$(med metrics_off.1.64.rate)" rate
  add_row "micro calls/s, 64 in flight, 64 B: metrics on (default) vs MICRO_METRICS=off" \
    "$(med metrics_on.64.64.rate)" "metrics off" "$(med metrics_off.64.64.rate)" rate
  # What TLS costs on each transport (p50: above 1 is slower; calls/s: below 1 is slower).
  local t plain
  for t in caf tcp; do
    plain=sharing
    [[ $t == tcp ]] && plain=tcpt
    add_row "micro p50 µs, 1 in flight, 64 B, $t transport: TLS vs plaintext" \
      "$(med "tls_$t.1.64.p50")" "plaintext" "$(med "$plain.1.64.p50")" us
    add_row "micro calls/s, 64 in flight, 64 B, $t transport: TLS vs plaintext" \
      "$(med "tls_$t.64.64.rate")" "plaintext" "$(med "$plain.64.64.rate")" rate
  done
  local figure metric s
  # micro over its tcp transport (MICRO_TRANSPORT=tcp) against the caf transport (micro's
  # default), gRPC's best and the TCP floor.
  local label who
  for s in "1 p50 unary p50 latency µs, 1 in flight" "64 rate unary calls/s, 64 in flight"; do
    read -r k metric figure <<<"$s"
    local unit=us
    [[ $metric == rate ]] && unit=rate
    for label in tcpt tcpt_inline; do
      who="micro tcp transport"
      [[ $label == tcpt_inline ]] && who="micro tcp transport, inline handler"
      local f="$figure, 64 B, $who"
      add_row "$f" "$(med "$label.$k.64.$metric")" "micro caf transport" \
        "$(med "$([[ $label == tcpt ]] && echo sharing || echo inline).$k.64.$metric")" "$unit"
      if [[ -n $have_grpc ]]; then
        grpc_best_row "$f" "$(med "$label.$k.64.$metric")" "$metric" "$unit" \
          "$(med "grpc_sync.$k.64.$metric")" "$(med "grpc_cb.$k.64.$metric")"
      fi
      add_row "$f" "$(med "$label.$k.64.$metric")" "TCP floor" "$(med "tcp.$k.64.$metric")" "$unit"
    done
  done
  # 4 client processes x 16 in flight against one server: against gRPC's callback server the
  # same way, and against the same transport with 1 process x 64 in flight (the scaling).
  local multi
  for multi in "multi_tcpt tcpt micro tcp transport" "multi_tcpt_inline tcpt_inline micro tcp transport, inline handler" \
    "multi_caf sharing micro caf transport"; do
    read -r label who <<<"$multi"
    local one=${who%% *}
    who=${who#* }
    local f="unary calls/s, 4 client processes x 16 in flight, 64 B, $who"
    [[ -z $have_grpc ]] || add_row "$f" "$(med "$label.4x16.rate")" "gRPC callback, 4 processes" "$(med multi_grpc_cb.4x16.rate)" rate
    add_row "$f" "$(med "$label.4x16.rate")" "1 process x 64 in flight" "$(med "$one.64.64.rate")" rate
  done
  for s in "1 p50 unary p50 latency µs, 1 in flight" "64 rate unary calls/s, 64 in flight"; do
    read -r k metric figure <<<"$s"
    figure="$figure, 64 B, micro inline handler (with_inline)"
    local unit=us
    [[ $metric == rate ]] && unit=rate
    add_row "$figure" "$(med "inline.$k.64.$metric")" "raw CAF" "$(med "caf.$k.64.$metric")" "$unit"
    if [[ -n $have_grpc ]]; then
      grpc_best_row "$figure" "$(med "inline.$k.64.$metric")" "$metric" "$unit" \
        "$(med "grpc_sync.$k.64.$metric")" "$(med "grpc_cb.$k.64.$metric")"
    fi
  done
}
