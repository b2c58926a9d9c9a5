#!/bin/bash
# infra-diff's start-up against bare node: median wall ms of 21 runs each, spawn to exit, the
# bundle refusing its missing `output` input (every module main needs is loaded by then).
# Run from the repository root after `npm run build`: bash bench/infra-diff-start.sh
set -u
N=node_modules/.bin/node
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() { for _ in $(seq 21); do s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000000)); done | median; }
echo "node -e 0: $(timed "$N" -e 0) ms"
echo "infra-diff, refused input: $(GITHUB_OUTPUT=/dev/null GITHUB_STEP_SUMMARY=/dev/null timed "$N" dist/infra-diff/index.js) ms"
echo "bundle: $(cat dist/infra-diff/*.js | wc -c) bytes"
