#!/usr/bin/env bash
# tests/multihost/hosts.sh: three "hosts" for the multi-host tests, made of network namespaces.
#
#   hosts.sh up DIR            create them (state in DIR); exit 77 when this machine cannot
#   hosts.sh down DIR          remove everything `up` created (safe to call twice)
#   hosts.sh exec DIR H CMD... run CMD on host H (a, b or c)
#   hosts.sh cut DIR H | heal DIR H   take host H's link down / up (at the switch side)
#   hosts.sh run DIR H CMD...  up, run CMD on host H, down (by trap, however CMD ends)
#
# Layout: a switch namespace with a bridge, and hosts a, b, c at 10.77.0.1, .2, .3/24, each
# joined to it by a veth pair. Each host also has its own mount and UTS namespace (hostname
# host-a, ...), a tmpfs on /run, and there its own system D-Bus and avahi-daemon publishing on
# its veth only: three machines on one LAN, as far as mDNS can tell. Nothing here touches the
# host's own interfaces or namespaces; traffic stays inside the namespaces created here.
set -euo pipefail

cmd=${1:-}; dir=${2:-}
[[ -n $cmd && -n $dir ]] || { echo "usage: hosts.sh up|down|exec|cut|heal|run DIR [HOST] [CMD...]" >&2; exit 2; }
shift 2

say() { echo "multihost: $*" >&2; }
hosts=(a b c)
host_ip() { case $1 in a) echo 10.77.0.1 ;; b) echo 10.77.0.2 ;; c) echo 10.77.0.3 ;; *) return 1 ;; esac; }
prefix() { cat "$dir/prefix"; }

can_run() {
  if [[ $(id -u) -ne 0 ]]; then say "SKIP: needs root (CAP_NET_ADMIN) to create network namespaces"; return 1; fi
  local c
  for c in ip unshare nsenter dbus-daemon avahi-daemon dbus-send; do
    command -v "$c" >/dev/null || { say "SKIP: $c not found (scripts/install-deps)"; return 1; }
  done
  local probe="mhprobe$$"
  if ! ip netns add "$probe" 2>/dev/null; then say "SKIP: cannot create a network namespace here"; return 1; fi
  ip netns del "$probe"
}

in_host() {  # in_host H CMD...: CMD in host H's network, mount and UTS namespaces
  local pid
  pid=$(cat "$dir/$1.pid")
  shift
  nsenter -t "$pid" -m -n -u -- "$@"
}

avahi_answers() {
  in_host "$1" dbus-send --system --print-reply --reply-timeout=1000 --dest=org.freedesktop.Avahi \
    / org.freedesktop.Avahi.Server.GetVersionString >/dev/null 2>&1
}

up() {
  can_run || exit 77
  mkdir -p "$dir"
  local p="mh$$"
  echo "$p" >"$dir/prefix"
  ip netns add "${p}sw"
  ip -n "${p}sw" link set lo up
  ip -n "${p}sw" link add br0 type bridge
  ip -n "${p}sw" link set br0 up
  # The switch's holder: cut/heal enter its network namespace by PID, which works from inside a
  # host too (a host's /run is its own, so `ip -n NAME` cannot find the namespace from there).
  ip netns exec "${p}sw" sleep 86400 &
  echo $! >"$dir/sw.pid"
  local h ns ip
  for h in "${hosts[@]}"; do
    ns="${p}$h"; ip=$(host_ip "$h")
    ip netns add "$ns"
    ip link add "v$h" netns "$ns" type veth peer name "s$h" netns "${p}sw"
    ip -n "${p}sw" link set "s$h" master br0
    ip -n "${p}sw" link set "s$h" up
    ip -n "$ns" addr add "$ip/24" dev "v$h"
    ip -n "$ns" link set "v$h" up
    ip -n "$ns" link set lo up
    cat >"$dir/avahi-$h.conf" <<CONF
[server]
host-name=host-$h
use-ipv4=yes
use-ipv6=no
allow-interfaces=v$h
enable-dbus=yes
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[wide-area]
enable-wide-area=no
[publish]
publish-workstation=no
publish-hinfo=no
publish-addresses=yes
publish-domain=no
[reflector]
enable-reflector=no
[rlimits]
CONF
    # The holder: a process that lives in the host's namespaces for as long as the host does.
    ip netns exec "$ns" unshare -m -u --propagation private sh -c "
      mount -t tmpfs tmpfs /run && hostname host-$h && mkdir -p /run/dbus /run/avahi-daemon &&
      exec sleep 86400" &
    echo $! >"$dir/$h.pid"
  done
  for h in "${hosts[@]}"; do
    local deadline=$((SECONDS + 10))
    until in_host "$h" sh -c 'hostname | grep -q "^host-" && mountpoint -q /run' 2>/dev/null; do
      ((SECONDS < deadline)) || { say "host $h did not come up"; down; exit 1; }
      sleep 0.05
    done
    in_host "$h" dbus-daemon --system --fork >/dev/null
    in_host "$h" avahi-daemon -f "$dir/avahi-$h.conf" --no-drop-root --no-chroot --no-rlimits -D \
      >>"$dir/avahi-$h.log" 2>&1
  done
  for h in "${hosts[@]}"; do
    local deadline=$((SECONDS + 15))
    until avahi_answers "$h"; do
      ((SECONDS < deadline)) || { say "avahi-daemon on host $h did not answer"; down; exit 1; }
      sleep 0.1
    done
  done
  say "hosts a b c up (10.77.0.1-3, namespaces ${p}a ${p}b ${p}c, switch ${p}sw)"
}

down() {
  [[ -f $dir/prefix ]] || return 0
  local p h ns
  p=$(prefix)
  for h in "${hosts[@]}"; do
    ns="${p}$h"
    # Everything that runs in the host's network namespace: the holder, D-Bus, Avahi, tests' processes.
    if ip netns pids "$ns" >/dev/null 2>&1; then
      ip netns pids "$ns" | xargs -r kill -9 2>/dev/null || true
    fi
    ip netns del "$ns" 2>/dev/null || true
  done
  ip netns pids "${p}sw" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del "${p}sw" 2>/dev/null || true
  rm -f "$dir/prefix" "$dir"/*.pid
}

case $cmd in
  up) up ;;
  down) down ;;
  exec) h=$1; shift; in_host "$h" "$@" ;;
  cut) nsenter -t "$(cat "$dir/sw.pid")" -n -- ip link set "s$1" down ;;
  heal) nsenter -t "$(cat "$dir/sw.pid")" -n -- ip link set "s$1" up ;;
  run)
    h=$1; shift
    trap down EXIT
    trap 'exit 130' INT TERM
    up
    rc=0
    in_host "$h" "$@" || rc=$?
    exit $rc
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
