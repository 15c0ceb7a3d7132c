#!/usr/bin/env bash
# broker_seam.sh SOURCE_DIR: micro/ reaches broker backends through broker/'s factory only
# (micro/pubsub.cpp), so no code of micro/ names one. Comments may (they are docs), and so may
# options (their help lists the names). Fails on "nats" in code of micro/ outside options, and
# when client.cpp or service.cpp open a backend or branch on the broker's name themselves.
set -euo pipefail
cd "$1"
# file:line:text, text without its // comment, kept where it still says nats
hits=$(grep -rniE --include='*.cpp' --include='*.hpp' 'nats' micro/ |
  grep -vE '^micro/options\.(cpp|hpp):' |
  awk '{ code = $0; sub(/^[^:]+:[0-9]+:/, "", code); sub(/\/\/.*$/, "", code); if (tolower(code) ~ /nats/) print }' || true)
fail=0
if [[ -n "$hits" ]]; then
  echo "micro/ names a broker backend outside options (go through micro/pubsub.cpp and broker::make_backend):"
  echo "$hits"
  fail=1
fi
grep -q 'broker::make_backend' micro/pubsub.cpp || { echo "micro/pubsub.cpp does not open backends through broker::make_backend"; fail=1; }
if grep -nE 'make_backend|opts\.broker *[!=]=' micro/client.cpp micro/service.cpp; then
  echo "client.cpp/service.cpp open or branch on a broker backend themselves"; fail=1
fi
((fail == 0)) && echo "micro/ names no broker backend outside options; pubsub.cpp owns the seam"
exit $fail
