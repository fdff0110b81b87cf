#!/usr/bin/env bash
# t_races.sh - `grr flaky --chaos` catches the three classic concurrency
# bugs of tests/programs/races within a few runs, and the trace it keeps
# replays to the same failure (exit status and output), on every toolchain
# (optimized builds):
#   rmw       four goroutines do `t.n++` (one incq) on a shared counter:
#             updates lost (chaos cuts the read-modify-write in two)
#   checkact  two goroutines fill a map cache, checking before inserting:
#             a key computed twice, or "concurrent map writes"
#   order     main reads a value a goroutine it started has not set yet
# Natively, rmw and checkact fail in most runs on two CPUs, order in about
# one run in seven.  Chaos finds each within the first few runs (measured
# in docs/benchmarks.md, `make bench-races`); --runs 30 leaves a margin on
# a loaded machine.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=races
e2e_setup races || exit 1
RUNS=${RACES_RUNS:-30}

for tc in $E2E_TOOLCHAINS; do
	if ! bin=$(build_program "$tc" opt races); then
		e2e_fail "$T/$tc" "build failed: $(tail_of "$E2E_WORK/$tc-opt/races.log")"
		continue
	fi
	for mode in rmw checkact order; do
		c=$T/$tc/$mode
		e2e_want "$c" || continue
		d=$work/$tc-$mode
		rm -rf "$d"
		rc=$(run_capture "$d" "$GRR" flaky --chaos --runs "$RUNS" -o "$d" -- "$bin" "$mode")
		kept=$(find "$d" -maxdepth 1 -name '*.grr' | head -n 1)
		if [ "$rc" != 1 ] || [ -z "$kept" ]; then
			e2e_fail "$c" "not caught in $RUNS chaos runs: $(describe_rc "$rc"); $(tail_of "$d.out")$(stderr_hint "$d.err")"
			continue
		fi
		run=$(grep -o '^run [0-9]*: ' "$d.out" | head -n 1)
		want=$(grep -o '^run [0-9]*: exit status [0-9]*' "$d.out" | head -n 1 | awk '{print $NF}')
		rrc=$(run_capture "$d-rep" "$GRR" replay --autopilot "$kept")
		# (flaky keeps stdout and stderr in one file: the same lines,
		# whichever stream)
		sort "${kept%.grr}.out" >"$d-want.sorted"
		grep -hv '^grr: ' "$d-rep.out" "$d-rep.err" | sort >"$d-got.sorted"
		if [ "$rrc" != "$want" ]; then
			e2e_fail "$c" "replay: $(describe_rc "$rrc"), the recording exited $want$(stderr_hint "$d-rep.err")"
		elif ! why=$(same_output "replay output" "$d-want.sorted" "$d-got.sorted"); then
			e2e_fail "$c" "$why"
		else
			echo "  .. $c: caught at ${run%: }, exit $want" >&2
			e2e_pass "$c"
		fi
	done
done

[ "$E2E_NFAIL" = 0 ]
