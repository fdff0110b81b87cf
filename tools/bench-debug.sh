#!/usr/bin/env bash
# bench-debug.sh - the debugger part of `make bench` (called by
# tools/bench.sh).  Records tests/programs/longrun (about 8 s natively, so
# more than 10 s of recorded execution) and times, side by side and best of
# BENCH_REPS runs:
#
#   full replay     grr replay --autopilot --quiet T
#   to the end      a debugger session: break main.marker, continue twice
#                   (the marker, at 95% of the run, then the end)
#   + reverse       the same session plus one reverse-continue, which goes
#                   back from the end to the marker hit
#   first stop      a session that stops at main.main, against the native
#                   run of the program
#   + inspection    the same stop plus goroutines -t, stack, locals, args
#                   and print of a package variable: what the first look
#                   at values costs (DWARF index, unwinding), on top
#
# The reverse-continue's time is (+ reverse) - (to the end); its target is
# at most 0.2 of the full replay.  Prints a Markdown section "## Debugger"
# on stdout; progress goes to stderr.  Always exits 0.
#
# Environment: BENCH_REPS (default 3), BENCH_TIMEOUT (seconds, default 120),
#              BENCH_ROUNDS (longrun's argument, default 300)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
REPS=${BENCH_REPS:-3}
TIMEOUT=${BENCH_TIMEOUT:-120}
ROUNDS=${BENCH_ROUNDS:-300}
GO=/usr/local/go/bin/go
GRR=$root/bin/grr
work=$root/build/bench-debug
mkdir -p "$work"
. "$root/tools/bench-lib.sh"
log() { echo "bench-debug: $*" >&2; }

make -s bin/grr >"$work/make.log" 2>&1 || log "make failed (see $work/make.log)"
prog=$work/longrun
if ! (cd tests/programs && GOTOOLCHAIN=local CGO_ENABLED=0 "$GO" build -o "$prog" ./longrun) \
	>"$work/build.log" 2>&1; then
	echo "Could not build tests/programs/longrun (see $work/build.log)."
	exit 0
fi
trace=$work/longrun.grr
rm -f "$trace"
log "recording longrun $ROUNDS"
if ! timeout -k 5 "$TIMEOUT" "$GRR" record -o "$trace" -- "$prog" "$ROUNDS" >"$work/record.log" 2>&1; then
	echo "Recording longrun failed (see $work/record.log)."
	exit 0
fi

session=("$GRR" replay --batch --quiet)
to_end=(--ex "break main.marker" --ex continue --ex continue)
declare -A runs
for ((rep = 1; rep <= REPS; rep++)); do
	log "repetition $rep/$REPS"
	timed "$work/native.log" "$prog" "$ROUNDS"; runs[native]+="$result|"
	timed "$work/full.log" "$GRR" replay --autopilot --quiet "$trace"; runs[full]+="$result|"
	timed "$work/end.log" "${session[@]}" "${to_end[@]}" "$trace"; runs[end]+="$result|"
	timed "$work/rc.log" "${session[@]}" "${to_end[@]}" --ex reverse-continue "$trace"
	runs[rc]+="$result|"
	timed "$work/first.log" "${session[@]}" --ex "break main.main" --ex continue "$trace"
	runs[first]+="$result|"
	timed "$work/inspect.log" "${session[@]}" --ex "break main.main" --ex continue \
		--ex "goroutines -t" --ex stack --ex locals --ex args --ex "print runtime.allglen" "$trace"
	runs[inspect]+="$result|"
done
for k in native full end rc first inspect; do best "${runs[$k]}"; declare "b_$k=$best"; done
rc_only=n/a
if isnum "$b_rc" && isnum "$b_end" && [ "$b_rc" -gt "$b_end" ]; then
	rc_only=$((b_rc - b_end))
fi
stop_line=$(grep -m1 'breakpoint 1, hits 1' "$work/rc.log" | tail -1)
rc_line=$(grep '^> ' "$work/rc.log" | tail -1)

echo "## Debugger"
echo
echo "Measured on $(date -u '+%Y-%m-%d %H:%M UTC') with \`make bench\` (tools/bench-debug.sh):"
echo "\`longrun $ROUNDS\` (tests/programs/longrun, CPU-bound, one call of main.marker at"
echo "95% of the run), best of $REPS interleaved runs."
echo
echo "| measure | time | ratio | target |"
echo "|---|---|---|---|"
echo "| native run | $(cell "$b_native") | | |"
echo "| full autopilot replay | $(cell "$b_full") | $(ratio "$b_full" "$b_native") native | |"
echo "| session to the end (break, continue x2) | $(cell "$b_end") | $(ratio "$b_end" "$b_full") full replay | |"
echo "| reverse-continue from the end to the marker | $(cell "$rc_only") | $(ratio "$rc_only" "$b_full") full replay | <= 0.2: $(le "$rc_only" "$b_full" 0.2) |"
echo "| first stop at main.main (whole session) | $(cell "$b_first") | $(ratio "$b_first" "$b_native") native run | |"
inspect_only=n/a
if isnum "$b_inspect" && isnum "$b_first" && [ "$b_inspect" -ge "$b_first" ]; then
	inspect_only=$((b_inspect - b_first))
fi
echo "| first inspection there (goroutines -t, stack, locals, args, print) | $(cell "$inspect_only") | $(ratio "$inspect_only" "$b_first") first stop | |"
echo
echo "Reverse-continue landed on: \`${rc_line:-n/a}\` (forward hit: \`${stop_line:-n/a}\`)."
exit 0
