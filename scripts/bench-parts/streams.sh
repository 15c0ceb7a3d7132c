# shellcheck shell=bash disable=SC2154,SC2034  # sourced by scripts/bench, which sets the globals
# Streams: messages/s one way (the server counts) and echoed, 64 B and 4 KiB, one bidirectional
# stream, micro against gRPC (sync and callback API; the table takes the faster). The servers are
# the unary ones: bench-echo-server micro also serves Bench.Stream. Sourced by scripts/bench.

stream_peers=()
# micro: over the caf transport (the "micro" server); micro_tcp: over the tcp transport, the
# default, where streams ride micro's own connection (the "tcpt" server of the unary part).
[[ ! -x $BIN/bench-stream-client ]] || stream_peers+=(micro micro_tcp)
[[ -z $have_grpc ]] || stream_peers+=(grpc_sync grpc_cb)

# stream_measure PEER KIND PAYLOAD (KIND: sink | echo)
stream_measure() {
  local peer=$1 kind=$2 p=$3 json
  case $peer in
    micro) json=$("$BIN/bench-stream-client" "$kind" "$port_micro" "$p" "$STREAM_MSGS") ;;
    micro_tcp) json=$("$BIN/bench-stream-client" "$kind" "$port_tcpt" "$p" "$STREAM_MSGS" tcp) ;;
    grpc_sync) json=$("$BIN/bench-grpc-stream" sync "$kind" "$port_grpc_sync" "$p" "$STREAM_MSGS") ;;
    grpc_cb) json=$("$BIN/bench-grpc-stream" callback "$kind" "$port_grpc_cb" "$p" "$STREAM_MSGS") ;;
  esac
  if [[ $(field "$json" received) != "$(field "$json" messages)" ]]; then
    echo "bench: $peer $kind stream lost messages: $json" >&2
    return 0
  fi
  add_sample "stream.$peer.$kind.$p" "$(field "$json" messages_per_s)"
}

bench_streams() {
  ((${#stream_peers[@]})) || return 0
  for rep in $(seq "$REPS"); do
    echo "bench: streams, repetition $rep/$REPS" >&2
    for kind in sink echo; do
      for p in 64 4096; do
        for peer in "${stream_peers[@]}"; do stream_measure "$peer" "$kind" "$p"; done
      done
    done
  done
}

stream_rows() {
  [[ -n $have_grpc ]] || return 0
  local kind p figure
  for kind in sink echo; do
    for p in 64 4096; do
      figure="stream messages/s one way (client → server), $p B"
      [[ $kind == sink ]] || figure="stream messages/s echoed (client → server → client), $p B"
      grpc_best_row "$figure, caf transport" "$(med "stream.micro.$kind.$p")" rate rate \
        "$(med "stream.grpc_sync.$kind.$p")" "$(med "stream.grpc_cb.$kind.$p")"
      grpc_best_row "$figure, tcp transport" "$(med "stream.micro_tcp.$kind.$p")" rate rate \
        "$(med "stream.grpc_sync.$kind.$p")" "$(med "stream.grpc_cb.$kind.$p")"
    done
  done
}
