# shellcheck shell=bash disable=SC2154,SC2034  # sourced by scripts/bench, which sets the globals
# The HTTP gateway: requests/s and p50 of POST /greeter/Greeter/Hello with 64 keep-alive clients
# (wrk, 2 threads) through `micro api` to a greeter-server, against the same calls made natively
# (`micro bench --concurrency 64`: the gateway's cost) and against micro's HTTP listener answering
# the greeter's JSON itself (bench-http-floor: the floor). Static registry, loopback.
# Sourced by scripts/bench.

HTTP_SECONDS="${HTTP_SECONDS:-5}"

# wrk_p50_us OUTPUT: wrk's 50% latency in µs.
wrk_p50_us() {
  awk '$1 == "50%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
       m = (u == "us") ? 1 : (u == "ms") ? 1000 : (u == "s") ? 1000000 : 0; printf "%.1f", v * m }' <<<"$1"
}

http_measure() {  # http_measure LABEL URL
  local out
  out=$(wrk -t2 -c64 -d"${HTTP_SECONDS}s" --latency -s "$workdir/post.lua" "$2/greeter/Greeter/Hello")
  if grep -q "Non-2xx" <<<"$out"; then
    echo "bench: $1 answered errors: $out" >&2
    return 0
  fi
  add_sample "http.$1.rate" "$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
  add_sample "http.$1.p50" "$(wrk_p50_us "$out")"
}

bench_http() {
  command -v wrk >/dev/null || { echo "bench: no wrk (scripts/install-deps installs it): no HTTP figures" >&2; return 0; }
  [[ -x $BIN/bench-http-floor && -x $BIN/micro && -x $BIN/greeter-server ]] || return 0
  printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' \
    "'{\"name\":\"John\"}'" >"$workdir/post.lua"
  start_server http_floor "$BIN/bench-http-floor"
  MICRO_REGISTRY=static MICRO_REGISTRY_ADDRESS=unused=127.0.0.1:9 MICRO_SERVER_ADDRESS=127.0.0.1:0 \
    "$BIN/greeter-server" >"$workdir/http-greeter.log" 2>&1 &
  pids+=($!)
  local greeter="" gw="" i
  for i in $(seq 200); do
    greeter=$(grep -m1 -oE 'listening on [0-9.]+:[0-9]+' "$workdir/http-greeter.log" | cut -d' ' -f3) || true
    [[ -z $greeter ]] || break
    sleep 0.05
  done
  [[ -n $greeter ]] || { echo "bench: greeter-server did not start" >&2; return 0; }
  local reg=(env MICRO_REGISTRY=static MICRO_REGISTRY_ADDRESS="greeter=$greeter")
  "${reg[@]}" "$BIN/micro" api --address 127.0.0.1:0 2>"$workdir/http-api.log" &
  pids+=($!)
  for i in $(seq 200); do
    gw=$(grep -m1 -oE 'http://[0-9.]+:[0-9]+' "$workdir/http-api.log") || true
    [[ -z $gw ]] || break
    sleep 0.05
  done
  [[ -n $gw ]] || { echo "bench: micro api did not start" >&2; return 0; }
  local json
  for rep in $(seq "$REPS"); do
    echo "bench: http gateway, repetition $rep/$REPS" >&2
    http_measure gateway "$gw"
    http_measure floor "http://$port_http_floor"
    json=$("${reg[@]}" "$BIN/micro" bench greeter Greeter.Hello '{"name":"John"}' --duration "${HTTP_SECONDS}s" --concurrency 64 --output json)
    add_sample "http.native.rate" "$(field "$json" calls_per_second)"
    add_sample "http.native.p50" "$(awk -v v="$(field "$json" p50)" 'BEGIN { if (v != "") printf "%.1f", v * 1000 }')"
  done
}

http_rows() {
  add_row "gateway requests/s, POST /greeter/Greeter/Hello, 64 keep-alive clients" "$(med http.gateway.rate)" \
    "HTTP floor (same library, no call)" "$(med http.floor.rate)" rate "target ≥ 0.5"
  add_row "same, against the call made natively (micro bench, 64 in flight)" "$(med http.gateway.rate)" \
    "native calls" "$(med http.native.rate)" rate
  add_row "gateway p50 latency, 64 keep-alive clients" "$(med http.gateway.p50)" \
    "HTTP floor / native $(fmt "$(med http.native.p50)" us) µs" "$(med http.floor.p50)" us
}
