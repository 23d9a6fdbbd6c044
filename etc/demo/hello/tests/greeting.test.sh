#!/bin/sh
# The greeting is one non-empty line.
set -eu
output=$(sh hello.sh)
[ -n "$output" ]
[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
