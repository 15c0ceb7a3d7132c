#!/usr/bin/env bash
# scripts/avahi start/status/stop, run in private mount, network and pid namespaces with a tmpfs
# /run of their own: the D-Bus and avahi-daemon it starts never meet the machine's (which other
# processes rely on), and everything left running dies with the namespace when this script ends.
#
# Checks: stop leaves no socket or pid file behind; start and status go by whether the bus
# answers, not by whether its socket file exists (a bus killed by hand leaves one); start starts
# only what is missing and stop stops only what start started.
#
# usage: avahi_script_test.sh PATH/TO/scripts/avahi   (exit 77: skipped, no root or no unshare)
set -uo pipefail

script=${1:?usage: avahi_script_test.sh PATH/TO/scripts/avahi}

if [[ ${MICRO_AVAHI_TEST_IN_NS:-} != 1 ]]; then
  for c in unshare dbus-daemon dbus-send avahi-daemon ip; do
    command -v "$c" >/dev/null 2>&1 || { echo "SKIP: $c is not installed"; exit 77; }
  done
  if [[ $(id -u) -ne 0 ]] || ! unshare --mount --net --pid --fork --mount-proc true 2>/dev/null; then
    echo "SKIP: needs root and unshare (private mount/network/pid namespaces)"
    exit 77
  fi
  exec unshare --mount --net --pid --fork --mount-proc env MICRO_AVAHI_TEST_IN_NS=1 bash "$0" "$@"
fi

# From here on: pid 1 of a pid namespace, so whatever still runs when we exit is killed.
mount -t tmpfs tmpfs /run || { echo "FAIL: cannot mount a tmpfs on /run"; exit 1; }
ip link set lo up
unset DBUS_SYSTEM_BUS_ADDRESS
export AVAHI_STATE_DIR=/run/avahi-script-test
pids_file=$AVAHI_STATE_DIR/pids
bus_socket=/run/dbus/system_bus_socket

failures=0
check() {  # check DESCRIPTION CMD...: records a failure and goes on
  local what=$1; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}
runs() { [[ -d /proc/$1 && $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]; }
gone() { ! runs "$1"; }
absent() { [[ ! -e $1 ]]; }
bus_answers() {
  dbus-send --system --print-reply --reply-timeout=1000 --dest=org.freedesktop.DBus \
    --type=method_call / org.freedesktop.DBus.GetId >/dev/null 2>&1
}
pid_of() { awk -v k="$1" '$1 == k {print $2}' "$pids_file" 2>/dev/null | head -n1; }
# status's exit code and its output, in $status_out.
status() { status_out=$("$script" status 2>&1); }
says() { [[ $status_out == *"$1"* ]]; }
no_leftovers() {
  check "stop removed $bus_socket" absent "$bus_socket"
  check "stop removed /run/dbus/pid" absent /run/dbus/pid
  check "stop removed /run/avahi-daemon/pid" absent /run/avahi-daemon/pid
  check "stop removed /run/avahi-daemon/socket" absent /run/avahi-daemon/socket
  check "stop removed the state file" absent "$pids_file"
}

echo "== a fresh /run: nothing answers"
status; check "status fails" test $? -ne 0
check "status says no bus answers" says "no system D-Bus answers"

echo "== start, status, stop"
check "start succeeds" "$script" start
status; check "status succeeds" test $? -eq 0
check "status says the bus answers" says "system D-Bus answers"
check "status says avahi answers" says "avahi-daemon answers"
dbus_pid=$(pid_of dbus) avahi_pid=$(pid_of avahi)
check "start recorded the bus it started" test -n "$dbus_pid"
check "start recorded the avahi-daemon it started" test -n "$avahi_pid"
check "a second start leaves the running pair alone" "$script" start
check "... and starts nothing more" test "$(wc -l <"$pids_file")" -eq 2
check "stop succeeds" "$script" stop
check "stop ended the bus" gone "$dbus_pid"
check "stop ended the avahi-daemon" gone "$avahi_pid"
no_leftovers
status; check "status fails after stop" test $? -ne 0
check "status does not call the removed socket stale" eval '! says stale'

echo "== start again after stop"
check "start succeeds again" "$script" start
check "the bus answers again" bus_answers
status; check "status succeeds again" test $? -eq 0
check "stop succeeds again" "$script" stop
no_leftovers

echo "== a bus killed by hand leaves its socket and pid file: they fool neither status nor start"
mkdir -p /run/dbus
dead_bus=$(dbus-daemon --system --fork --print-pid)
kill -9 "$dead_bus"
for _ in $(seq 50); do gone "$dead_bus" && break; sleep 0.1; done
check "the killed bus left its socket (the setting of this test)" test -S "$bus_socket"
status; check "status fails with a stale socket" test $? -ne 0
check "status calls the socket stale" says "$bus_socket is stale"
check "start succeeds over the stale socket" "$script" start
check "the new bus answers" bus_answers
status; check "status succeeds" test $? -eq 0
check "stop succeeds" "$script" stop
no_leftovers

echo "== a plain file where the socket belongs does not fool them either"
mkdir -p /run/dbus
touch "$bus_socket"
echo 999999 >/run/dbus/pid
status; check "status fails with a plain file" test $? -ne 0
check "status calls it stale" says "is stale"
check "start succeeds" "$script" start
check "the bus answers" bus_answers
check "stop succeeds" "$script" stop
no_leftovers

echo "== a bus that someone else started: start adds only avahi, stop leaves the bus running"
their_bus=$(dbus-daemon --system --fork --print-pid)
for _ in $(seq 50); do bus_answers && break; sleep 0.1; done
check "start succeeds with a bus already there" "$script" start
check "start did not start a second bus" test -z "$(pid_of dbus)"
avahi_pid=$(pid_of avahi)
check "start started an avahi-daemon" test -n "$avahi_pid"
check "stop succeeds" "$script" stop
check "stop ended its avahi-daemon" gone "$avahi_pid"
check "stop left the other bus running" runs "$their_bus"
check "... still answering" bus_answers
check "... with its socket" test -S "$bus_socket"
check "... and its pid file" test "$(cat /run/dbus/pid 2>/dev/null)" = "$their_bus"
kill "$their_bus"

if ((failures)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
