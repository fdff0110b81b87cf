#!/usr/bin/env bash
# t_anchors.sh - anchors' memory digests and stubs (docs/recorder.md,
# "Incremental digests"; docs/replay-model.md, "Anchors").
#
# tests/programs/bigheap fills a 64 MB heap once, then runs a tight loop
# over 32 KB of it for several timeslices.  For each toolchain and build
# mode:
#   incremental  `grr record -v` reports no full digest, several anchors,
#                and fewer pages reread per anchor than the heap holds (a
#                full digest rereads all of it every time); the replay
#                reproduces the output;
#   cross        digests computed from written pages and full ones agree:
#                the trace replays with GRR_FULL_DIGESTS=1, and a trace
#                recorded with GRR_FULL_DIGESTS=1 replays with incremental
#                digests;
#   loop_stubs   the replay runs the anchors' loop in a copy inside the stub
#                (optimized build: the log says so), and replays as well with
#                GRR_NO_LOOP_STUBS=1;
#   rewrite      `bigheap ROUNDS sweep` rewrites its whole heap between two
#                anchors: the recorder notes it after an anchor ("digest: W
#                of P pages written since the last one", W more than half
#                of P), the replayer reads the note ahead and tracks no
#                writes before that anchor (its log says so), and the
#                replay reproduces the output; in the plain run above, where
#                the loop writes a few pages, the replayer keeps tracking.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=anchors
e2e_setup anchors || exit 1
HEAP_PAGES=16384

# replay_same NAME TRACE [ENV...]: replays TRACE (with ENV) and compares
# its stdout with the recording's ($work/NAME-rec.out).
replay_same() {
	local name=$1 trace=$2 rc
	shift 2
	rc=$(run_capture "$work/$name-rep" env "$@" "$GRR" replay --autopilot "$trace")
	if [ "$rc" != 0 ]; then
		echo "replay ($*): $(describe_rc "$rc")$(stderr_hint "$work/$name-rep.err")"
		return 1
	fi
	same_output "replay ($*) stdout" "$work/$name-rec.out" "$work/$name-rep.out"
}

# record NAME [ENV...]: records $bin into $work/NAME.grr with -v, with
# the arguments $rounds (and $sweep, if set).
record() {
	local name=$1 rc
	shift
	rc=$(run_capture "$work/$name-rec" env "$@" "$GRR" record -v -o "$work/$name.grr" -- "$bin" "$rounds" ${sweep:+"$sweep"})
	if [ "$rc" != 0 ]; then
		echo "record ($*): $(describe_rc "$rc")$(stderr_hint "$work/$name-rec.err")"
		return 1
	fi
}

# rewrite_notes TRACE: the recorder's digest notes of TRACE whose
# written pages are more than half of all, one "W P" line each.
rewrite_notes() {
	"$GRR" dump "$1" | sed -n 's/.* note "digest: \([0-9]*\) of \([0-9]*\) pages written since the last one"$/\1 \2/p' |
		awk '$1 * 2 > $2'
}

# vstat NAME WHAT: a figure from the `grr record -v` line of NAME.
vstat() {
	sed -n "s/.* \([0-9]*\) $2.*/\1/p" "$work/$1-rec.err" | head -n 1
}

for tc in $E2E_TOOLCHAINS; do
	for mode in $E2E_MODES; do
		c=$T/$tc-$mode
		e2e_want "$c" || continue
		if ! bin=$(build_program "$tc" "$mode" bigheap); then
			e2e_fail "$c/incremental" "build failed: $(tail_of "$E2E_WORK/$tc-$mode/bigheap.log")"
			continue
		fi
		n=$tc-$mode
		# about a second natively either way (-N -l: 5x slower)
		rounds=200000
		[ "$mode" = debug ] && rounds=40000
		if why=$(record "$n-inc") && why=$(replay_same "$n-inc" "$work/$n-inc.grr"); then
			anchors=$(vstat "$n-inc" anchors)
			pages=$(vstat "$n-inc" "pages reread")
			full=$(vstat "$n-inc" "full digests")
			line=$(grep anchors "$work/$n-inc-rec.err")
			if [ "${full:-x}" != 0 ]; then
				e2e_fail "$c/incremental" "full digests were made: $line"
			elif [ -z "$anchors" ] || [ "$anchors" -lt 2 ]; then
				e2e_fail "$c/incremental" "fewer than 2 anchors, nothing to compare: $line"
			elif [ "$pages" -ge $((anchors * HEAP_PAGES)) ] ||
				[ $((pages / anchors)) -ge "$HEAP_PAGES" ]; then
				e2e_fail "$c/incremental" "as many pages reread as full digests would: $line"
			else
				e2e_pass "$c/incremental"
			fi
		else
			e2e_fail "$c/incremental" "$why"
			continue
		fi

		fails=
		why=$(replay_same "$n-inc" "$work/$n-inc.grr" GRR_FULL_DIGESTS=1) || fails+="$why; "
		if why=$(record "$n-full" GRR_FULL_DIGESTS=1); then
			grep -q 'anchors digest all memory each time (GRR_FULL_DIGESTS is set)' \
				"$work/$n-full-rec.err" || fails+="record -v does not say the digests are full; "
			why=$(replay_same "$n-full" "$work/$n-full.grr") || fails+="$why; "
		else
			fails+="$why; "
		fi
		if [ -n "$fails" ]; then
			e2e_fail "$c/cross" "$fails"
		else
			e2e_pass "$c/cross"
		fi

		fails=
		why=$(replay_same "$n-inc" "$work/$n-inc.grr" GRR_DEBUG_REPLAY=1) || fails+="$why; "
		cp "$work/$n-inc-rep.err" "$work/$n-inc-debug.err"
		if [ "$mode" = opt ] && ! grep -q 'in a copy of its loop' "$work/$n-inc-rep.err"; then
			fails+="no anchor stub ran a copy of its loop: $(grep 'anchor stub' "$work/$n-inc-rep.err" | head -n 3 | tr '\n' '|'); "
		fi
		why=$(replay_same "$n-inc" "$work/$n-inc.grr" GRR_NO_LOOP_STUBS=1) || fails+="$why; "
		if [ -n "$fails" ]; then
			e2e_fail "$c/loop_stubs" "$fails"
		else
			e2e_pass "$c/loop_stubs"
		fi

		fails=
		grep -q 'next anchor after event [0-9]*: write tracking$' "$work/$n-inc-debug.err" ||
			fails+="the plain run's replay never tracked writes; "
		sweep=sweep rounds=4000
		if why=$(record "$n-sweep") && why=$(replay_same "$n-sweep" "$work/$n-sweep.grr" GRR_DEBUG_REPLAY=1); then
			[ -n "$(rewrite_notes "$work/$n-sweep.grr")" ] ||
				fails+="no note of a rewritten heap: $("$GRR" dump "$work/$n-sweep.grr" | grep -c ' anchor ') anchors, notes: $("$GRR" dump "$work/$n-sweep.grr" | grep 'note "digest' | head -n 3 | tr '\n' '|'); "
			grep -q 'most memory rewritten before it: no write tracking' "$work/$n-sweep-rep.err" ||
				fails+="the replay tracked writes all along; "
			why=$(replay_same "$n-sweep" "$work/$n-sweep.grr" GRR_FULL_DIGESTS=1) || fails+="$why; "
		else
			fails+="$why; "
		fi
		sweep=
		if [ -n "$fails" ]; then
			e2e_fail "$c/rewrite" "$fails"
		else
			e2e_pass "$c/rewrite"
		fi
	done
done

[ "$E2E_NFAIL" = 0 ]
