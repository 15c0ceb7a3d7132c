# shellcheck shell=bash disable=SC2154,SC2034  # sourced by scripts/bench, which sets the globals
# scripts/bench helpers, sourced: servers, samples and medians, table rows.
# Uses BIN, workdir and pids from scripts/bench.

# start_server NAME [VAR=value...] COMMAND [ARGS...]: starts a server that prints "listening PORT"
# as its first line; sets port_NAME and pid_NAME.
start_server() {
  local name=$1; shift
  : >"$workdir/$name.out"  # exists before tail -f looks (else tail gives up at once)
  env "$@" >"$workdir/$name.out" 2>"$workdir/$name.err" &
  local pid=$!
  pids+=("$pid")
  local line
  read -r -t 10 line < <(tail -n +1 -f "$workdir/$name.out" --pid="$pid" 2>/dev/null) || true
  [[ "$line" == listening* ]] || { echo "bench: server $name did not start"; cat "$workdir/$name.err"; exit 1; }
  printf -v "port_$name" '%s' "${line#listening }"
  printf -v "pid_$name" '%s' "$pid"
}

# stop_server NAME
stop_server() {
  local pid_var="pid_$1"
  kill -TERM "${!pid_var}" 2>/dev/null || true
  wait "${!pid_var}" 2>/dev/null || true
}

# rss_kib PID: resident set size from /proc.
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# threads_of PID: the process's thread count from /proc.
threads_of() { awk '/^Threads:/ { print $2 }' "/proc/$1/status"; }

# field JSON KEY: a number from a bench program's JSON line; empty when absent.
field() { { grep -oE "\"$2\":[0-9.e+-]+" <<<"$1" || true; } | head -n1 | cut -d: -f2; }

median() { sort -g | awk '{a[NR]=$1} END { if (NR) print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2 }'; }

# Samples by label ("micro.1.64.p50"); add_sample LABEL VALUE, med LABEL (empty when none).
declare -A samples
add_sample() { samples["$1"]+="$2 "; }
med() { tr ' ' '\n' <<<"${samples[$1]:-}" | grep -v '^$' | median; }

# fmt VALUE UNIT: µs, ms and MiB with one decimal, rates and KiB as integers.
fmt() {
  [[ -n $1 ]] || { echo "—"; return; }
  case $2 in
    rate|KiB|threads|calls) awk -v v="$1" 'BEGIN { printf "%.0f", v }' ;;
    *) awk -v v="$1" 'BEGIN { printf "%.1f", v }' ;;
  esac
}

# Table rows: "figure|micro|peer name|peer|ratio|note". add_row FIGURE MICRO PEER_NAME PEER UNIT
# [NOTE] (ratio = micro / peer, "—" when either is missing; NOTE follows the peer's value).
rows=()
add_row() {
  local ratio="—"
  if [[ -n $2 && -n $4 ]]; then
    ratio=$(awk -v a="$2" -v b="$4" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
  fi
  rows+=("$1|$(fmt "$2" "$5")|$3|$(fmt "$4" "$5")|$ratio|${6:-}")
}

# best METRIC VALUE_A NAME_A VALUE_B NAME_B: "value|name" of the better one (lower latency,
# higher rate); either may be empty.
best() {
  local metric=$1 a=$2 an=$3 b=$4 bn=$5
  if [[ -z $a ]]; then echo "$b|$bn"; return; fi
  if [[ -z $b ]]; then echo "$a|$an"; return; fi
  local lower=1
  [[ $metric == rate ]] && lower=0
  if awk -v a="$a" -v b="$b" -v lower="$lower" 'BEGIN { exit !(lower ? a <= b : a >= b) }'; then
    echo "$a|$an"
  else
    echo "$b|$bn"
  fi
}

# grpc_best_row FIGURE MICRO METRIC UNIT SYNC CALLBACK: micro against the faster of gRPC's two
# APIs, the slower one's value as the note.
grpc_best_row() {
  local b name other
  b=$(best "$3" "$5" sync "$6" callback)
  name=${b#*|}
  if [[ $name == sync ]]; then other="callback $(fmt "$6" "$4")"; else other="sync $(fmt "$5" "$4")"; fi
  add_row "$1" "$2" "gRPC $name" "${b%|*}" "$4" "$other"
}

# free_port: a loopback port nothing listens on (picked at random; checked by connecting).
free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
  done
  return 1
}

# stage NAME: prints how long the previous stage took (tuning REPS and counts to the time budget).
stage_start=$SECONDS
stage() {
  echo "bench: $1 (previous stage $((SECONDS - stage_start)) s, total $SECONDS s)" >&2
  stage_start=$SECONDS
}
