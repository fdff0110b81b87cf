#!/usr/bin/env bash
# run-unit-tests.sh - runs each Check unit-test binary given; fails if any fails.
set -u
status=0
for t in "$@"; do
	echo "== $t"
	CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-120} "$t" || status=1
done
exit $status
