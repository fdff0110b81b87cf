#!/usr/bin/env bash
# t_debugger.sh - the time-travel debugger in scripted mode (grr replay
# --batch --ex ...) on tests/programs/ledger, for each toolchain and build
# mode: breakpoint hit counts equal the calls the program made; after N
# continues one reverse-continue stops at hit N-1; reverse-next lands on
# the previous line of the same goroutine; a reverse watchpoint finds the
# line that corrupted a global; the program's output is printed once, not
# again when a reverse command re-runs the replay from a checkpoint; goto and when agree; a checkpoint restores
# its exact position; stepping into and out of calls; bad commands give a
# one-line error and the session goes on (--batch exits 1 then).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_setup debugger || exit 1
SRC=$E2E_PROGRAMS_DIR/ledger/main.go

line_of() { # MARKER -> line number in ledger/main.go
	grep -n "// @$1\$" "$SRC" | cut -d: -f1
}
L_APPLY=$(line_of apply)
L_CALL=$(line_of call)
L_PRINT=$(line_of print)
L_CORRUPT=$(line_of corrupt)
L_COUNT=$(line_of count)
WSRC=$E2E_PROGRAMS_DIR/workers/main.go
wline_of() { grep -n "// @$1\$" "$WSRC" | cut -d: -f1; }
W2=$(wline_of w2)
W3=$(wline_of w3)
W4=$(wline_of w4)

# stops NAME: the stop lines ("> ...") of a session, after the first one
# (where the session starts).
stops() { grep '^> ' "$work/$1.out" | tail -n +2; }

for tc in $E2E_TOOLCHAINS; do
	for mode in $E2E_MODES; do
		c=debugger/$tc-$mode
		e2e_want "$c" || continue
		build_and_record "$c" "$tc" "$mode" ledger || continue

		# hit counts: apply is called 5 times, then the program exits
		if e2e_want "$c/hits"; then
			dbg hits "break main.apply" c c c c c c
			hits=$(stops hits | grep -o 'hits [0-9]*' | awk '{print $2}' | tr '\n' ' ')
			if [ "$(rc_of hits)" != 0 ] || [ "$hits" != "1 2 3 4 5 " ] ||
				! grep -q '^Process exited with status 0' "$work/hits.out"; then
				e2e_fail "$c/hits" "hits '$hits'; $(show hits)"
			elif [ "$mode" = debug ] && ! stops hits | head -1 | grep -q "main.apply() .*main.go:$L_APPLY goroutine 1 "; then
				e2e_fail "$c/hits" "stop line: $(stops hits | head -1)"
			else
				e2e_pass "$c/hits"
			fi
		fi

		# conditions: on a package variable; changed, then rc recounts
		if e2e_want "$c/condition"; then
			dbg hits4 "break main.apply" c c c c
			e4=$(stops hits4 | sed -n 4p | grep -o 'event [0-9]*')
			dbg cond "break main.apply if main.counter == 3" c c \
				"condition 1 main.counter >= 2 && main.counter != 99" rc \
				"condition 1 nosuch > 1" rc
			s1=$(stops cond | sed -n 1p)
			s2=$(stops cond | sed -n 3p)  # (the 2nd: the end)
			if [ "$(rc_of cond)" != 0 ] || ! [[ $s1 == *"(breakpoint 1, hits 1) $e4" ]] ||
				! grep -q '^Process exited with status 0' "$work/cond.out" ||
				! [[ $s2 == *"(breakpoint 1, hits 3) event"* ]] ||
				! grep -q "condition 'nosuch > 1': could not find symbol value for nosuch" "$work/cond.out"; then
				e2e_fail "$c/condition" "stops '$s1' / '$s2' (4th call: $e4); $(show cond)"
			else
				e2e_pass "$c/condition"
			fi
		fi

		# reverse-continue after 4 continues stops at hit 3, then 2
		if e2e_want "$c/reverse_continue"; then
			dbg rc "break main.apply" c c c c rc rc when
			hits=$(stops rc | grep -o 'hits [0-9]*' | awk '{print $2}' | tr '\n' ' ')
			if [ "$(rc_of rc)" != 0 ] || [ "$hits" != "1 2 3 4 3 2 " ]; then
				e2e_fail "$c/reverse_continue" "hits '$hits'; $(show rc)"
			else
				e2e_pass "$c/reverse_continue"
			fi
		fi

		# the same, with a checkpoint at every event (thinned as they
		# accumulate): reverse commands start from checkpoints
		if e2e_want "$c/reverse_checkpoints"; then
			GRR_CHECKPOINT_INTERVAL=0 dbg rcc "break main.apply" c c c c rc rc c \
				"watch main.counter" c rc rc when
			hits=$(stops rcc | grep -o '(breakpoint 1, hits [0-9]*' | awk '{print $4}' | tr '\n' ' ')
			whits=$(stops rcc | grep -o '(watchpoint 2, hits [0-9]*' | awk '{print $4}' | tr '\n' ' ')
			if [ "$(rc_of rcc)" != 0 ] || [ "$hits" != "1 2 3 4 3 2 3 3 " ] ||
				[ "$whits" != "1 2 " ]; then
				e2e_fail "$c/reverse_checkpoints" "hits '$hits', watch hits '$whits'; $(show rcc)"
			else
				e2e_pass "$c/reverse_checkpoints"
			fi
		fi

		# the output is printed once per session: going back to main.main
		# re-runs the replay from checkpoints (one at every event) through
		# every Println, then forward to the end again, silently
		if e2e_want "$c/output_once"; then
			GRR_CHECKPOINT_INTERVAL=0 DBG_ECHO=1 dbg once "break main.main" c c rc c
			outs=$(grep -c -e '^posted [0-9]$' -e '^total ' "$work/once.out")
			ends=$(grep -c '^Process exited with status 0' "$work/once.out")
			last=$(stops once | sed -n 3p)  # (the 2nd: the end)
			if [ "$(rc_of once)" != 0 ] || [ "$outs" != 6 ] || [ "$ends" != 2 ] ||
				! [[ $last == *"main.main() "*"(breakpoint 1, hits 1)"* ]]; then
				e2e_fail "$c/output_once" "$outs output lines (6 expected), $ends ends, back at '$last'; $(show once)"
			else
				e2e_pass "$c/output_once"
			fi
		fi

		# reverse-next from the Println line goes back to the call line
		if e2e_want "$c/reverse_next"; then
			dbg rn "break main.go:$L_PRINT" c c rn
			last=$(stops rn | tail -1)
			if [ "$(rc_of rn)" != 0 ] || ! [[ $last == *"main.go:$L_CALL goroutine 1 "* ]]; then
				e2e_fail "$c/reverse_next" "last stop '$last'; $(show rn)"
			else
				e2e_pass "$c/reverse_next"
			fi
		fi

		# from the end, a watch on main.counter run backward finds the
		# corrupting write, then the last increment before it
		if e2e_want "$c/reverse_watch"; then
			dbg watch c "watch main.counter" rc rc
			w=$(stops watch | grep watchpoint)
			first=$(echo "$w" | sed -n 1p)
			second=$(echo "$w" | sed -n 2p)
			old_new=$(grep -A2 'watchpoint' "$work/watch.out" | grep -o 'value: -\?[0-9]*' | awk '{print $2}' | tr '\n' ' ')
			if [ "$(rc_of watch)" != 0 ] ||
				! [[ $first == *"main.go:$L_CORRUPT "* || $first == *"main.go:$((L_CORRUPT + 1)) "* ]] ||
				! [[ $second == *"main.go:$L_COUNT "* || $second == *"main.go:$((L_COUNT + 1)) "* ||
				     $second == *"main.go:$L_APPLY "* || $second == *"main.go:$((L_APPLY + 1)) "* ]] ||
				[ "$old_new" != "5 18446744073709551609 4 5 " ]; then
				e2e_fail "$c/reverse_watch" "stops '$first' / '$second' values '$old_new'; $(show watch)"
			else
				e2e_pass "$c/reverse_watch"
			fi
		fi

		# goto and when agree; a checkpoint restores its exact position
		if e2e_want "$c/goto_checkpoint"; then
			dbg cp "goto 40" when "break main.apply" c c checkpoint when c c "restart 1" when c
			w1=$(grep '^event ' "$work/cp.out" | sed -n 1p)
			w2=$(grep '^event ' "$work/cp.out" | sed -n 2p)
			w3=$(grep '^event ' "$work/cp.out" | sed -n 3p)
			hits=$(stops cp | grep -o 'hits [0-9]*' | awk '{print $2}' | tr '\n' ' ')
			if [ "$(rc_of cp)" != 0 ] || [[ $w1 != "event 40 "* ]] || [ -z "$w2" ] ||
				[ "$w2" != "$w3" ] || [ "$hits" != "1 2 3 4 3 " ]; then
				e2e_fail "$c/goto_checkpoint" "when '$w1' / '$w2' / '$w3' hits '$hits'; $(show cp)"
			else
				e2e_pass "$c/goto_checkpoint"
			fi
		fi

		# step into apply from the call line, stepout back to main
		if e2e_want "$c/step"; then
			dbg step "break main.go:$L_CALL" c step stepout
			s=$(stops step)
			if [ "$(rc_of step)" != 0 ] || ! echo "$s" | sed -n 1p | grep -q "main.main() .*main.go:$L_CALL " ||
				! echo "$s" | sed -n 2p | grep -q "main.apply() .*main.go:$L_APPLY " ||
				! echo "$s" | sed -n 3p | grep -q "main.main() .*main.go:$L_CALL "; then
				e2e_fail "$c/step" "$(echo "$s" | tr '\n' '|'); $(show step)"
			else
				e2e_pass "$c/step"
			fi
		fi

		# two stepi then two reverse-stepi come back to the same pc and event;
		# nexti over the call to apply stays in main
		if e2e_want "$c/stepi"; then
			dbg si "break main.apply" c when si si rsi rsi when "clear 1" \
				"break main.go:$L_CALL" c
			w1=$(grep '^event ' "$work/si.out" | sed -n 1p)
			w2=$(grep '^event ' "$work/si.out" | sed -n 2p)
			if [ "$(rc_of si)" != 0 ] || [ -z "$w1" ] || [ "$w1" != "$w2" ]; then
				e2e_fail "$c/stepi" "when '$w1' then '$w2'; $(show si)"
			else
				e2e_pass "$c/stepi"
			fi
		fi

		# next and reverse-next stay on their goroutine while seven others
		# run the same lines in between (they do: the second session sees
		# several goroutines at one line)
		if e2e_want "$c/goroutine_next"; then
			if ! wbin=$(build_program "$tc" "$mode" workers); then
				e2e_fail "$c/goroutine_next" "build failed: $(tail_of "$E2E_WORK/$tc-$mode/workers.log")"
			else
				keep_tr=$tr
				tr=$work/$tc-$mode-workers.grr
				rc=$(run_capture "$work/$tc-$mode-wrec" "$GRR" record -o "$tr" -- "$wbin")
				if [ "$rc" != 0 ]; then
					e2e_fail "$c/goroutine_next" "record: $(describe_rc "$rc")"
				else
					dbg gn "break main.go:$W2" c "clear 1" n n n n n n rn rn rn
					dbg gmany "break main.go:$W3" c c c c c c c c
					gids=$(stops gn | grep -o 'goroutine [0-9]*' | sort -u | wc -l)
					lines=$(stops gn | grep -o 'main.go:[0-9]*' | cut -d: -f2 | tr '\n' ' ')
					many=$(stops gmany | grep -o 'goroutine [0-9]*' | sort -u | wc -l)
					# -N -l: source order; optimized: whatever order the
					# compiler chose, but reverse-next retraces it
					read -r -a p <<<"$lines"
					if [ "$mode" = debug ]; then
						want="$W2 $W3 $W4 $W2 $W3 $W4 $W2 $W4 $W3 $W2 "
					else
						want="${p[*]:0:7} ${p[5]:-} ${p[4]:-} ${p[3]:-} "
					fi
					if [ "$(rc_of gn)" != 0 ] || [ "$gids" != 1 ] || [ "$lines" != "$want" ] ||
						[ "${#p[@]}" != 10 ] || [ "$many" -lt 2 ]; then
						e2e_fail "$c/goroutine_next" "lines '$lines' (want '$want'), $gids goroutine(s) in next, $many at one line; $(show gn)"
					else
						e2e_pass "$c/goroutine_next"
					fi
				fi
				tr=$keep_tr
			fi
		fi

		# errors: one line each, the session goes on, --batch exits 1
		if e2e_want "$c/errors"; then
			dbg errors "break nosuch.function" "frobnicate" "watch *0x1000 3" \
				"watch main.counter" "watch main.counter" "watch main.counter" \
				"watch main.counter" "watch main.counter" "goto 999999999" rc when
			nerr=$(grep -c '^error: ' "$work/errors.err")
			if [ "$(rc_of errors)" != 1 ] || [ "$nerr" != 5 ] ||
				! grep -q 'all 4 hardware watchpoints are in use' "$work/errors.err" ||
				! grep -q 'unknown command' "$work/errors.err" ||
				! grep -q '^At the start of the trace' "$work/errors.out" ||
				! grep -q '^event 0 ' "$work/errors.out"; then
				e2e_fail "$c/errors" "$nerr errors; $(show errors)"
			else
				e2e_pass "$c/errors"
			fi
		fi
	done
done
[ "$E2E_NFAIL" = 0 ]
