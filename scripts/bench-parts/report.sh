# shellcheck shell=bash disable=SC2154,SC2034  # sourced by scripts/bench, which sets the globals
# The table, printed as markdown and written as results.md and results.json to every folder in
# out_dirs. Sourced by scripts/bench.

# json_value V: a number as is, anything else ("—", empty) as null.
json_value() { if [[ $1 =~ ^[0-9.e+-]+$ ]]; then echo "$1"; else echo null; fi; }

markdown() {
  local f a name b ratio note cell
  echo "| figure | micro | peer | ratio micro/peer |"
  echo "| --- | --- | --- | --- |"
  for r in "${rows[@]}"; do
    IFS='|' read -r f a name b ratio note <<<"$r"
    cell="$name $b"
    [[ $name != "—" ]] || cell="—"
    [[ -z $note ]] || cell+=" ($note)"
    echo "| $f | $a | $cell | $ratio |"
  done
  echo
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr); unary: median of $REPS alternating runs of $CALLS calls per figure and peer; streams: median of $REPS runs of $STREAM_MSGS messages; RSS per 1,000 streams: $OPEN_STREAMS streams opened (and $OPEN_STREAMS_MANY on one connection for the many-streams rows), median of $REPS; \"micro\" alone: the caf transport (the tcp transport, the default, is named in its rows)"
  [[ -z $discovery ]] || echo "discovery: mdns through a loopback Avahi daemon, greeter-server and micro CLI processes, $DISCOVERY_RUNS runs each"
  scaleout_note
  pubsub_note
}

json() {
  local f a name b ratio note i=0 n=${#rows[@]} sep
  echo "["
  for r in "${rows[@]}"; do
    IFS='|' read -r f a name b ratio note <<<"$r"
    i=$((i + 1)); sep=","; [[ $i == "$n" ]] && sep=""
    printf '  {"figure": "%s", "micro": %s, "peer_name": "%s", "peer": %s, "ratio": %s, "note": "%s"}%s\n' \
      "$f" "$(json_value "$a")" "$name" "$(json_value "$b")" "$(json_value "$ratio")" "$note" "$sep"
  done
  echo "]"
}

report() {
  local table dir
  table=$(markdown)
  echo "$table"
  for dir in "${out_dirs[@]}"; do
    mkdir -p "$dir"
    echo "$table" >"$dir/results.md"
    json >"$dir/results.json"
    echo "bench: wrote $dir/results.json" >&2
  done
}
