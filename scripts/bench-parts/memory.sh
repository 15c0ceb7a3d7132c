# shellcheck shell=bash disable=SC2154,SC2034  # sourced by scripts/bench, which sets the globals
# Memory: RSS of an idle service process (micro's bench-echo-server against bench-grpc-server),
# and RSS growth per 1,000 open streams on the server and the client. Sourced by scripts/bench.

# memory_idle WHEN: the RSS of the idle unary servers now (WHEN: start | loaded).
memory_idle() {
  local name pid_var
  for name in micro grpc_sync grpc_cb; do
    pid_var="pid_$name"
    [[ -n ${!pid_var:-} ]] || continue
    add_sample "rss.$1.$name" "$(awk -v k="$(rss_kib "${!pid_var}")" 'BEGIN { print k / 1024 }')"
  done
}

memory_idle_rows() {
  local when figure
  for when in start loaded; do
    figure="idle service process RSS MiB, after start (echo server, 0 calls served)"
    [[ $when == start ]] || figure="idle service process RSS MiB, after the unary runs"
    if [[ -n $have_grpc ]]; then
      grpc_best_row "$figure" "$(med "rss.$when.micro")" p50 MiB "$(med "rss.$when.grpc_sync")" "$(med "rss.$when.grpc_cb")"
    else
      add_row "$figure" "$(med "rss.$when.micro")" "—" "" MiB
    fi
  done
}

# open_streams PEER N SERVER_COMMAND... -- CLIENT_COMMAND...: starts a fresh server, then a client
# that prints "connected rss_kib A", waits for a line on stdin, opens N streams and prints
# "open N ms T rss_kib B" (bench/hold_streams.hpp's protocol; PORT in CLIENT_COMMAND is replaced by
# the server's port). Adds the growth per 1,000 streams of both processes in KiB, the server's
# threads with the N open, and the time the N opens took in ms.
open_streams() {
  local peer=$1 n=$2; shift 2
  local server=() client=()
  while [[ $1 != -- ]]; do server+=("$1"); shift; done
  shift
  client=("$@")
  start_server "open_$peer" "${server[@]}"
  local port_var="port_open_$peer" pid_var="pid_open_$peer"
  client=("${client[@]/#PORT/${!port_var}}")
  local line c0 c1 s0 s1 t1
  coproc OPEN { exec "${client[@]}" 2>"$workdir/open_$peer.err"; }
  local out=${OPEN[0]} in=${OPEN[1]} cpid=$OPEN_PID
  if read -r -t 60 line <&"$out" && [[ $line == connected* ]]; then
    c0=${line##* }
    sleep 0.5  # the server's side of the first stream settles
    s0=$(rss_kib "${!pid_var}")
    echo go >&"$in"
    if read -r -t 300 line <&"$out" && [[ $line == open* ]]; then
      c1=${line##* }
      sleep 0.5
      s1=$(rss_kib "${!pid_var}")
      t1=$(threads_of "${!pid_var}")
      add_sample "open.$peer.server" $(((s1 - s0) * 1000 / n))
      add_sample "open.$peer.threads" "$t1"
      add_sample "open.$peer.client" $(((c1 - c0) * 1000 / n))
      add_sample "open.$peer.ms" "$(awk '{ for (i = 1; i < NF; ++i) if ($i == "ms") print $(i + 1) }' <<<"$line")"
    fi
  fi
  [[ -n ${c1:-} ]] || { echo "bench: $peer: could not open $n streams" >&2; cat "$workdir/open_$peer.err" >&2; }
  exec {in}>&- {out}<&-  # the client exits when its stdin closes
  wait "$cpid" 2>/dev/null || true
  stop_server "open_$peer"
}

bench_open_streams() {
  for rep in $(seq "$REPS"); do
    if [[ -x $BIN/bench-open-streams ]]; then
      open_streams micro "$OPEN_STREAMS" MICRO_TRANSPORT=caf "$BIN/bench-echo-server" micro -- \
        "$BIN/bench-open-streams" PORT "$OPEN_STREAMS"
      open_streams micro_async "$OPEN_STREAMS" MICRO_TRANSPORT=caf BENCH_STREAMS=async "$BIN/bench-echo-server" micro -- \
        "$BIN/bench-open-streams" PORT "$OPEN_STREAMS"
    fi
    if [[ -n $have_grpc ]]; then
      open_streams grpc "$OPEN_STREAMS" "$BIN/bench-grpc-server" callback -- \
        "$BIN/bench-grpc-open-streams" PORT "$OPEN_STREAMS"
    fi
    # Many (issue 14): OPEN_STREAMS_MANY on one connection, handle_stream_async only (a thread per
    # stream would be 10,000 threads), over the tcp transport (the default: its limit per
    # connection is 65,536 streams). The service's own limit (MICRO_SERVER_MAX_STREAMS, 1,024 by
    # default) is raised for this server only; the first stream (the connection's) counts too.
    if [[ -x $BIN/bench-open-streams && $OPEN_STREAMS_MANY -gt 0 ]]; then
      open_streams many_async "$OPEN_STREAMS_MANY" MICRO_TRANSPORT=tcp BENCH_STREAMS=async \
        MICRO_SERVER_MAX_STREAMS=$((OPEN_STREAMS_MANY + 1)) "$BIN/bench-echo-server" micro -- \
        "$BIN/bench-open-streams" PORT "$OPEN_STREAMS_MANY" tcp
    fi
    if [[ -n $have_grpc && $OPEN_STREAMS_MANY -gt 0 ]]; then
      open_streams many_grpc "$OPEN_STREAMS_MANY" "$BIN/bench-grpc-server" callback -- \
        "$BIN/bench-grpc-open-streams" PORT "$OPEN_STREAMS_MANY"
    fi
  done
}

open_streams_rows() {
  local side
  for side in server client; do
    add_row "RSS growth per 1,000 open idle streams KiB, $side process" "$(med "open.micro.$side")" \
      "gRPC callback" "$(med "open.grpc.$side")" KiB
  done
  add_row "RSS growth per 1,000 open idle streams KiB, server process, handle_stream_async" \
    "$(med "open.micro_async.server")" "gRPC callback" "$(med "open.grpc.server")" KiB
  add_row "server threads with $OPEN_STREAMS idle streams open, handle_stream_async" \
    "$(med "open.micro_async.threads")" "gRPC callback" "$(med "open.grpc.threads")" threads
  add_row "server threads with $OPEN_STREAMS idle streams open, handle_stream (a thread each)" \
    "$(med "open.micro.threads")" "gRPC callback" "$(med "open.grpc.threads")" threads
  ((OPEN_STREAMS_MANY > 0)) || return 0
  local many
  many=$(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$OPEN_STREAMS_MANY")  # 10000 -> 10,000
  add_row "RSS growth per 1,000 open idle streams KiB, $many open, server process, handle_stream_async, tcp transport" \
    "$(med "open.many_async.server")" "gRPC callback" "$(med "open.many_grpc.server")" KiB
  add_row "server threads with $many idle streams open, handle_stream_async, tcp transport" \
    "$(med "open.many_async.threads")" "gRPC callback" "$(med "open.many_grpc.threads")" threads
  add_row "ms to open $many streams one after the other (each with its first echo), tcp transport" \
    "$(med "open.many_async.ms")" "gRPC callback" "$(med "open.many_grpc.ms")" ms
}
