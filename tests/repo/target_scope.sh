#!/usr/bin/env bash
# target_scope.sh NINJA BUILD_DIR SOURCE_DIR: fails when `demo-all` depends on a test or bench source, or
# when `all` depends on a bench source (make demo and make test would build more than they need).
set -euo pipefail
ninja=$1 build=$2 src=$3

sources_of() {  # the C++ sources a target needs, relative to the source tree
  "$ninja" -C "$build" -t inputs "$1" | grep -E '\.(cpp|cc)$' | sed -E -e "s#^$src/##" -e 's#^(\.\./)+##' | sort -u
}

fail=0
demo=$(sources_of demo-all) || { echo "no demo-all target in $build"; exit 1; }
if grep -qE '(^|/)(tests|bench)/' <<<"$demo"; then
  echo "demo-all (make demo) builds test or bench sources:"; grep -E '(^|/)(tests|bench)/' <<<"$demo" | head
  fail=1
fi
for want in micro/cli/main.cpp samples/greeter/server.cpp samples/pubsub/subscriber.cpp samples/stream/client.cpp; do
  grep -qx "$want" <<<"$demo" || { echo "demo-all does not build $want"; fail=1; }
done
all=$(sources_of all)
if grep -qE '(^|/)bench/' <<<"$all"; then
  echo "all (make test) builds bench sources:"; grep -E '(^|/)bench/' <<<"$all" | head
  fail=1
fi
grep -q '^tests/' <<<"$all" || { echo "all does not build the tests"; fail=1; }
((fail == 0)) && echo "demo-all: $(wc -l <<<"$demo") sources, all: $(wc -l <<<"$all") sources, no bench in either"
exit $fail
