#!/usr/bin/env bash
# delve-rr-tests.sh - Delve's own tests of its rr backend, run against grr:
# the Delve v1.27.2 module source (from the Go module proxy, as t_delve.sh
# fetches dlv), copied to a writable directory, its tests run with grr's
# bin/ first on PATH (bin/rr is grr).  Prints one line per test and the
# count that passed (docs/ide.md).  Slow (several minutes): not part of
# `make check`; `make bench` does not run it either.
#
#   tools/delve-rr-tests.sh [GO_TEST_RUN_REGEXP]
#
# Delve refuses its rr backend while kernel.perf_event_paranoid is above 1:
# the script sets it to 1 (as root) and puts the old value back.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
work=$root/tests/e2e/work/delve-rr-tests
ver=v1.27.2
dlvdir=$root/tests/e2e/work/dlv-$ver
go=/usr/local/go/bin/go
export GOPATH=$dlvdir GOMODCACHE=$dlvdir/pkg/mod GOCACHE=$root/tests/e2e/work/gocache
export GOFLAGS=-mod=mod GOTOOLCHAIN=local PATH=$root/bin:/usr/local/go/bin:$PATH

if [ ! -d "$GOMODCACHE/github.com/go-delve/delve@$ver" ]; then
	"$go" install "github.com/go-delve/delve/cmd/dlv@$ver" || exit 1
fi
rm -rf "$work"
mkdir -p "$work"
cp -r "$GOMODCACHE/github.com/go-delve/delve@$ver" "$work/delve"
chmod -R u+w "$work/delve"

paranoid=/proc/sys/kernel/perf_event_paranoid
old=$(cat "$paranoid")
if [ "$old" -gt 1 ]; then
	echo 1 >"$paranoid" || { echo "cannot set $paranoid to 1 (not root?)"; exit 1; }
	trap 'echo "$old" >"$paranoid"' EXIT
fi

# package @ -run regexp @ extra flags
tests=(
	"./pkg/proc/gdbserial@^(TestTraceDirCleanup|TestRestartAfterExit|TestRestartDuringStop|TestReverseBreakpointCounts|TestCheckpoints|TestIssue1376)\$@"
	"./pkg/proc@^(TestBackward.*|TestWatchpointStackBackwardsOutOfScope|TestWatchpointStackRecordedOutOfScopeBreakletIndex)\$@-backend=rr"
	"./pkg/terminal@^(TestReverseContinue|TestCheckpoints)\$@-backend=rr"
	"./service/test@^(TestClientServer_ReverseContinue|TestRerecord|TestStopRecording|TestRestartRewindAfterEnd)\$@-backend=rr"
)
filter=${1:-}
cd "$work/delve" || exit 1
: >"$work/results.txt"
for t in "${tests[@]}"; do
	IFS='@' read -r pkg run flags <<<"$t"
	echo "== $pkg $run" >&2
	# shellcheck disable=SC2086
	timeout 1200 "$go" test -count=1 -v -timeout 1100s "$pkg" -run "$run" $flags \
		>"$work/$(basename "$pkg").log" 2>&1
	grep -E '^--- (PASS|FAIL|SKIP)' "$work/$(basename "$pkg").log" |
		{ [ -n "$filter" ] && grep -E "$filter" || cat; } >>"$work/results.txt"
done
cat "$work/results.txt"
pass=$(grep -c '^--- PASS' "$work/results.txt")
fail=$(grep -c '^--- FAIL' "$work/results.txt")
skip=$(grep -c '^--- SKIP' "$work/results.txt")
echo "Delve $ver rr-backend tests with grr: $pass passed, $fail failed, $skip skipped (logs in $work)"
