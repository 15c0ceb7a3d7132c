#!/usr/bin/env bash
# mcp_sdk_test.sh BIN_DIR WORK_DIR DESCRIPTORS: `micro mcp` against the reference MCP SDK (npm
# @modelcontextprotocol/sdk, pinned in tests/http/mcp_sdk/package.json), over stdio and over
# streamable HTTP: a greeter-server found over mDNS is listed and called, then stopped, and the
# client gets notifications/tools/list_changed and no longer sees the tool; over HTTP with
# --descriptors DESCRIPTORS, the tool's input schema names the request's field. Skipped (77) without
# node and npm, or when npm cannot install the SDK.
set -euo pipefail
bin=$1 work=$2 descriptors=$3
src=$(cd "$(dirname "$0")/mcp_sdk" && pwd)
command -v node >/dev/null && command -v npm >/dev/null || { echo "no node/npm: skipped"; exit 77; }
mkdir -p "$work"
cp "$src/package.json" "$src/check.mjs" "$work/"
if [[ ! -d $work/node_modules/@modelcontextprotocol/sdk ]]; then
  (cd "$work" && npm install --no-audit --no-fund --silent >npm.log 2>&1) || { echo "npm install failed: skipped"; cat "$work/npm.log"; exit 77; }
fi
export MICRO_REGISTRY=mdns
unset MICRO_REGISTRY_ADDRESS
pids=()
cleanup() { for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# await FILE TEXT PID: until FILE has TEXT (20 s at most, or the process ended).
await() {
  for _ in $(seq 400); do
    grep -qF -- "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || break
    sleep 0.05
  done
  echo "FAILED: no \"$2\" in $1:"; cat "$1"; exit 1
}

for mode in stdio http; do
  name="mcp-sdk-$$-$mode"
  MICRO_SERVER_ADDRESS=127.0.0.1:0 "$bin/greeter-server" --server_name "$name" >"$work/$name.log" 2>&1 &
  greeter=$!
  pids+=("$greeter")
  await "$work/$name.log" "listening on" "$greeter"
  if [[ $mode == stdio ]]; then
    node "$work/check.mjs" stdio "$bin/micro" "$greeter" "$name.Greeter.Hello"
  else
    "$bin/micro" mcp --http 127.0.0.1:0 --refresh 200ms --descriptors "$descriptors" 2>"$work/mcp-http.log" &
    mcp=$!
    pids+=("$mcp")
    await "$work/mcp-http.log" "micro mcp: listening on" "$mcp"
    url=$(grep -m1 -oE 'http://[0-9.]+:[0-9]+/mcp' "$work/mcp-http.log")
    node "$work/check.mjs" http "$url" "$greeter" "$name.Greeter.Hello" schema
    kill -TERM "$mcp"
    wait "$mcp"
  fi
  wait "$greeter" || true
done
