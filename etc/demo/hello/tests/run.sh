#!/bin/sh
# Runs every tests/*.test.sh script from the project root and fails when one of them fails.
set -u
cd "$(dirname "$0")/.."
failed=0
for test in tests/*.test.sh; do
  [ -e "$test" ] || continue
  if sh "$test"; then
    echo "ok   $test"
  else
    echo "FAIL $test"
    failed=1
  fi
done
exit "$failed"
