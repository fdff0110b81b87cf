#!/usr/bin/env bash
# t_clockpage.sh - clock reads cost no ptrace stop (tracee/clockpage.h).
#
# tests/programs/clockspin reads the clock 3 x N times from goroutines on
# several threads.  For each toolchain and build mode:
#   in_process   `grr record -v` reports the reads as in-process, the trace
#                holds far fewer syscalls than reads, and the replay
#                reproduces the recording's output (the clock values);
#   chaos        chaos recordings (preemptions and anchors land inside clock
#                reads) replay to the same output;
#   fallback     with GRR_NO_CLOCKPAGE=1 the reads are syscalls again (the
#                trace has no buffered clock value; the syscall buffer's
#                records may be there), and that trace replays too.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=clockpage
e2e_setup clockpage || exit 1
READS=30000

# count NAME KIND: the number of KIND events in $work/NAME.grr
count() { event_count "$work/$1.grr" "$2"; }

# record_replay NAME [RECORD FLAGS...]: records $bin into $work/NAME.grr
# and replays it; prints a reason and returns 1 on failure.
record_replay() {
	local name=$1 rc
	shift
	rc=$(run_capture "$work/$name-rec" "$GRR" record -v "$@" -o "$work/$name.grr" -- "$bin" "$READS")
	if [ "$rc" != 0 ]; then
		echo "record: $(describe_rc "$rc")$(stderr_hint "$work/$name-rec.err")"
		return 1
	fi
	rc=$(run_capture "$work/$name-rep" "$GRR" replay --autopilot "$work/$name.grr")
	if [ "$rc" != 0 ]; then
		echo "replay: $(describe_rc "$rc")$(stderr_hint "$work/$name-rep.err")"
		return 1
	fi
	same_output "replay stdout" "$work/$name-rec.out" "$work/$name-rep.out"
}

for tc in $E2E_TOOLCHAINS; do
	for mode in $E2E_MODES; do
		c=$T/$tc-$mode
		e2e_want "$c" || continue
		if ! bin=$(build_program "$tc" "$mode" clockspin); then
			e2e_fail "$c/in_process" "build failed: $(tail_of "$E2E_WORK/$tc-$mode/clockspin.log")"
			continue
		fi

		if why=$(record_replay "$tc-$mode-ip"); then
			reads=$(sed -n 's/.* \([0-9]*\) clock reads and.*/\1/p' "$work/$tc-$mode-ip-rec.err")
			calls=$(count "$tc-$mode-ip" syscall_enter)
			if [ -z "$reads" ] || [ "$reads" -lt $((3 * READS)) ]; then
				e2e_fail "$c/in_process" "record -v reports '${reads:-no}' in-process clock reads, expected >= $((3 * READS)): $(tail -n 1 "$work/$tc-$mode-ip-rec.err")"
			elif [ -z "$calls" ] || [ "$calls" -gt $((READS / 4)) ]; then
				e2e_fail "$c/in_process" "${calls:-?} syscalls recorded for $((3 * READS)) clock reads"
			else
				e2e_pass "$c/in_process"
			fi
		else
			e2e_fail "$c/in_process" "$why"
		fi

		chaos_case "$c/chaos" "$tc-$mode"


		if ! why=$(GRR_NO_CLOCKPAGE=1 record_replay "$tc-$mode-off"); then
			e2e_fail "$c/fallback" "$why"
		elif ! grep -q 'clock reads are syscalls (GRR_NO_CLOCKPAGE is set)' "$work/$tc-$mode-off-rec.err"; then
			e2e_fail "$c/fallback" "record -v does not say why: $(head -c 300 "$work/$tc-$mode-off-rec.err")"
		elif "$GRR" dump "$work/$tc-$mode-off.grr" 2>/dev/null | grep -q ' buffered [0-9]* values* '; then
			e2e_fail "$c/fallback" "the trace has buffered clock values: $("$GRR" dump "$work/$tc-$mode-off.grr" 2>/dev/null | grep -m3 ' buffered [0-9]* values* ')"
		elif [ "$(count "$tc-$mode-off" syscall_enter)" -lt $((3 * READS)) ]; then
			e2e_fail "$c/fallback" "fewer syscalls than clock reads: $("$GRR" info "$work/$tc-$mode-off.grr" | grep events)"
		else
			e2e_pass "$c/fallback"
		fi
	done
done

[ "$E2E_NFAIL" = 0 ]
