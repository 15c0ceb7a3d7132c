#!/usr/bin/env bash
# doc_references.sh SOURCE_DIR: the documents code and README cite are in the repository.
# Fails on a reference to a file outside it (../shared, notes/, DESIGN.md), on a docs/*.md that
# is cited but missing, and when README's protobuf CMake lines are not the ones the install test
# builds (tests/install/consumer/CMakeLists.txt).
set -euo pipefail
src=$1
cd "$src"
if git rev-parse --git-dir >/dev/null 2>&1; then
  files=$(git ls-files -- '*.cpp' '*.hpp' '*.h' '*.md' '*.txt' '*.cmake' 'scripts/*' 'Makefile')
else
  files=$(find . -path ./build -prune -o -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.md' -o -name 'CMakeLists.txt' \) -print)
fi
fail=0
outside=$(grep -nE '\.\./shared|notes/(caf|go-micro|style|transport)|DESIGN\.md' $files | grep -v '^tests/repo/doc_references.sh' || true)
if [[ -n "$outside" ]]; then
  echo "references to documents outside the repository:"; echo "$outside"; fail=1
fi
for doc in $(grep -ohE 'docs/[A-Za-z0-9_.-]+\.md' $files | sort -u); do
  [[ -f "$doc" ]] || { echo "cited but missing: $doc"; fail=1; }
done
# README's block under "Protobuf messages in your project", line by line, in the consumer.
block=$(awk '/^### Protobuf messages in your project/{on=1} on&&/^```cmake/{inb=1;next} inb&&/^```/{exit} inb{print}' README.md)
[[ -n "$block" ]] || { echo "README has no cmake block under 'Protobuf messages in your project'"; fail=1; }
while IFS= read -r line; do
  [[ -z "$line" ]] && continue
  grep -qxF "$line" tests/install/consumer/CMakeLists.txt || { echo "README line not built by the install test: $line"; fail=1; }
done <<<"$block"
((fail == 0)) && echo "every cited document is in the repository; README's protobuf lines are tested"
exit $fail
