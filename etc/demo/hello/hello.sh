#!/bin/sh
# Prints the greeting.
set -eu
cat "$(dirname "$0")/greeting.txt"
