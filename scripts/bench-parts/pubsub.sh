# shellcheck shell=bash disable=SC2154,SC2034  # sourced by scripts/bench, which sets the globals
# Pub/sub with real processes (bench-pubsub): micro's actor broker against micro over NATS (the
# same micro code, MICRO_BROKER=nats), and micro over NATS against raw libnats (its floor). One
# run, which alternates the peers and takes its own medians over PUBSUB_REPS runs of each figure.
# Needs a nats-server: one of our own on a free loopback port, stopped by scripts/bench's cleanup.
# Sourced by scripts/bench.

pubsub=""
nats_url="-"

bench_pubsub() {
  echo "bench: pub/sub over mdns, actor broker vs NATS ($PUBSUB_REPS runs each)" >&2
  local port
  if port=$(free_port) && env NATS_PORT="$port" "${NATS[@]}" start; then
    nats_started=$port
    nats_url="nats://127.0.0.1:$port"
  else
    echo "bench: no nats-server: pub/sub measures micro's actor broker alone" >&2
  fi
  if ! "${AVAHI[@]}" start \
      || ! pubsub=$("$BIN/bench-pubsub" "$nats_url" "$PUBSUB_REPS" "$PUBSUB_PUBS" "$PUBSUB_LAT_PUBS" "$PUBSUB_ASYNC_PUBS"); then
    echo "bench: pub/sub skipped (no Avahi daemon, or bench-pubsub failed)" >&2
    pubsub=""
  fi
}

# pubsub_row FIGURE KEY_MICRO PEER_NAME KEY_PEER UNIT (no row when neither was measured)
pubsub_row() {
  local a b
  a=$(field "$pubsub" "$2"); b=$(field "$pubsub" "$4")
  [[ -z $a && -z $b ]] || add_row "$1" "$a" "$3" "$b" "$5"
}

pubsub_rows() {
  [[ -n $pubsub ]] || return 0
  local n s
  # Asynchronous publish (the default): micro against libnats' own buffered publish.
  for n in 1 3; do
    s=subscriber; [[ $n == 1 ]] || s=subscribers
    pubsub_row "pub/sub publications/s, $n $s, 64 B, async: actor broker" \
      "actor_async_${n}_rate" "raw libnats async publish" "raw_async_${n}_rate" rate
    pubsub_row "pub/sub publications/s, $n $s, 64 B, async: micro over NATS" \
      "nats_async_${n}_rate" "raw libnats async publish" "raw_async_${n}_rate" rate
  done
  for n in 1 3; do
    s=subscriber; [[ $n == 1 ]] || s=subscribers
    pubsub_row "pub/sub publications/s, $n $s, 64 B, acknowledged pipelined (publish_acknowledged, 1024 unanswered): actor broker" \
      "actor_pipelined_${n}_rate" "raw libnats (publish + flush), 8 threads" "raw_${n}_rate" rate
  done
  pubsub_row "pub/sub p50 latency µs, 1 subscriber, 1 in flight: actor broker (acknowledged)" \
    "actor_1_p50_us" "raw libnats (publish + flush)" "raw_1_p50_us" us
  for n in 1 3; do
    s=subscriber; [[ $n == 1 ]] || s=subscribers
    pubsub_row "pub/sub publications/s, $n $s, 64 B, 8 publisher threads, acknowledged: actor broker" \
      "actor_${n}_rate" "micro over NATS" "nats_${n}_rate" rate
    pubsub_row "pub/sub p50 latency µs, $n $s, 1 in flight: actor broker" \
      "actor_${n}_p50_us" "micro over NATS" "nats_${n}_p50_us" us
    pubsub_row "pub/sub p99 latency µs, $n $s, 1 in flight: actor broker" \
      "actor_${n}_p99_us" "micro over NATS" "nats_${n}_p99_us" us
  done
  for n in 1 3; do
    s=subscriber; [[ $n == 1 ]] || s=subscribers
    pubsub_row "pub/sub publications/s, $n $s: micro over NATS" "nats_${n}_rate" \
      "raw libnats (publish + flush)" "raw_${n}_rate" rate
    pubsub_row "pub/sub p50 latency µs, $n $s: micro over NATS" "nats_${n}_p50_us" "raw libnats" "raw_${n}_p50_us" us
    pubsub_row "pub/sub p99 latency µs, $n $s: micro over NATS" "nats_${n}_p99_us" "raw libnats" "raw_${n}_p99_us" us
  done
}

# pubsub_note: the table's footnote on pub/sub, saying so when a subscriber missed a publication.
pubsub_note() {
  [[ -n $pubsub ]] || return 0
  local lost="" p l e
  for p in actor actor_async actor_pipelined nats nats_async raw raw_async; do
    l=$(field "$pubsub" "${p}_lost"); e=$(field "$pubsub" "${p}_errors")
    [[ -z $l || ($l == 0 && $e == 0) ]] || lost+=" $p: $l lost, $e failed publishes;"
  done
  echo "pub/sub: one publisher process, subscriber processes over mdns (loopback Avahi), nats-server $nats_url, median of $PUBSUB_REPS alternating runs of $PUBSUB_PUBS publications (rate; async: $PUBSUB_ASYNC_PUBS, 8 threads, a 429 from a full local queue is retried) and $PUBSUB_LAT_PUBS (latency, pooled over the subscribers); every subscriber must get every publication${lost:+ — NOT SO:$lost}"
}
