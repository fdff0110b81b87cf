#!/usr/bin/env bash
# run.sh - runs the end-to-end tests: every tests/e2e/t_*.sh, one after the
# other, from the repository root.
#
# Usage: tests/e2e/run.sh [FILTER]
#   FILTER  substring of test names: a script whose name contains it runs
#           whole; otherwise the scripts run only their cases whose names
#           contain it (case names look like record_replay/go126-opt/hello).
#
# Environment:
#   E2E_TOOLCHAINS       toolchains, default "go126 go127 go119"
#   E2E_MODES            build modes, default "opt debug"
#   E2E_TIMEOUT          seconds per program run (default 120)
#   E2E_SCRIPT_TIMEOUT   seconds per t_*.sh script (default 1800)
#   GRR                  grr binary to test (default: bin/grr)
#   (and see lib.sh and each t_*.sh for the others)
#
# Each case prints "PASS name" or "FAIL name: reason"; the last line is
# "N passed, N failed" (CI parses it); the exit status is 1 if any failed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1

GRR=${GRR:-bin/grr}
case $GRR in /*) ;; *) GRR=$root/$GRR ;; esac
export GRR BUILD=${BUILD:-build/release} E2E_WORK=${E2E_WORK:-tests/e2e/work}
export E2E_ROOT=$root
filter=${1:-}
script_timeout=${E2E_SCRIPT_TIMEOUT:-1800}

mkdir -p "$E2E_WORK"
results=$E2E_WORK/results.txt
: >"$results"
export E2E_RESULTS=$root/$results
case $E2E_WORK in /*) E2E_RESULTS=$results ;; esac

if [ ! -x "$GRR" ]; then
	echo "e2e: warning: $GRR not found or not executable (run make)"
fi

start=$SECONDS
ran=0
for t in tests/e2e/t_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	name=${name#t_}
	if [ -z "$filter" ] || [[ $name == *"$filter"* ]]; then
		case_filter=
	else
		case_filter=$filter
	fi
	before=$(wc -l <"$E2E_RESULTS")
	echo "== $name"
	t0=$SECONDS
	E2E_FILTER=$case_filter timeout -k 10 "$script_timeout" bash "$t" 2>&1 |
		sed -u 's/^/   /'
	rc=${PIPESTATUS[0]}
	added=$(($(wc -l <"$E2E_RESULTS") - before))
	nfail=$(tail -n "$added" "$E2E_RESULTS" | grep -c '^FAIL ')
	[ "$added" -gt 0 ] && ran=1
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		line="FAIL $name: script timed out after ${script_timeout}s"
		echo "$line" >>"$E2E_RESULTS"
		echo "$line"
	elif [ "$rc" != 0 ] && [ "$nfail" = 0 ]; then
		line="FAIL $name: script exited $rc without reporting a failing case"
		echo "$line" >>"$E2E_RESULTS"
		echo "$line"
	fi
	echo "== $name: done in $((SECONDS - t0))s"
done

npass=$(grep -c '^PASS ' "$E2E_RESULTS")
nfail=$(grep -c '^FAIL ' "$E2E_RESULTS")
nxfail=$(grep -c '^XFAIL ' "$E2E_RESULTS")
echo
if [ "$nxfail" -gt 0 ]; then
	echo "known failures (tests/e2e/known-failures.txt):"
	grep '^XFAIL ' "$E2E_RESULTS" | sed 's/^/  /'
fi
if [ "$nfail" -gt 0 ]; then
	echo "failures:"
	grep '^FAIL ' "$E2E_RESULTS" | head -n 50 | sed 's/^/  /'
	[ "$nfail" -gt 50 ] && echo "  ... and $((nfail - 50)) more (see $results)"
fi
if [ "$ran" = 0 ] && [ -n "$filter" ] && [ "$nfail" = 0 ]; then
	echo "e2e: no test matched '$filter'"
	nfail=1
fi
echo "e2e: total $((SECONDS - start))s"
echo "$npass passed, $nfail failed, $nxfail skipped"
[ "$nfail" -eq 0 ]
