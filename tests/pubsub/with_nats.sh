#!/usr/bin/env bash
# Runs a test binary against a real nats-server of its own: starts one on a free loopback port
# (scripts/nats, state in a temporary directory), runs "$@" with MICRO_BROKER=nats and
# MICRO_BROKER_ADDRESS pointing at it, and stops the server by PID however the run ends.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
state=$(mktemp -d)
export NATS_STATE_DIR=$state
cleanup() { "$root/scripts/nats" stop >/dev/null 2>&1 || true; rm -rf "$state"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
port=""
for candidate in $(shuf -i 20000-40000 -n 50); do
  # Free when nothing accepts a connection there.
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[[ -n $port ]] || { echo "with_nats.sh: no free loopback port found" >&2; exit 1; }
export NATS_PORT=$port
"$root/scripts/nats" start
MICRO_BROKER=nats MICRO_BROKER_ADDRESS="nats://127.0.0.1:$port" "$@"
