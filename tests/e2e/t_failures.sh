#!/usr/bin/env bash
# t_failures.sh - the moment of failure, on tests/programs/failures, for
# each toolchain and build mode: Delve's failure breakpoints stop at an
# unrecovered panic (the panicking goroutine selected, its frames' locals,
# the panic value), at a nil dereference turned into a panic, and at a
# fatal runtime error (a deadlock: every blocked goroutine's wait reason);
# and the end of the recording is live: bt, goroutines, print, regs work
# there, a breakpoint set there is found again by reverse-continue,
# reverse-stepi and reverse-next start from it, continue stays there.
# The end is the exit_group of os.Exit(3), of a panic (exit 2), or the cut
# of a hang recorded by grr flaky --timeout.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_setup failures || exit 1
SRC=$E2E_PROGRAMS_DIR/failures/main.go
L_MUTEX=$(grep -n '@mutex$' "$SRC" | cut -d: -f1)

# stops NAME: the stop lines ("> ...") of a session, after the first one
stops() { grep '^> ' "$work/$1.out" | tail -n +2; }

# record_failing CASE MODE ARG STATUS: records `failures ARG` (built as
# $bin) into $work/ARG-$tcm.grr, which must exit with STATUS; sets $tr.
record_failing() {
	local c=$1 arg=$2 want=$3 rc
	tr=$work/$arg-$tcm.grr
	rc=$(run_capture "$work/$arg-$tcm-rec" "$GRR" record -o "$tr" -- "$bin" "$arg")
	if [ "$rc" != "$want" ]; then
		e2e_fail "$c" "record: $(describe_rc "$rc"), expected exit $want$(stderr_hint "$work/$arg-$tcm-rec.err")"
		return 1
	fi
}

# frame_of NAME FUNC: the number of FUNC's frame in a session's bt output
frame_of() {
	sed -n "s/^ *\([0-9]*\)  0x[0-9a-f]* in $2\$/\1/p" "$work/$1.out" | head -n 1
}

for tc in $E2E_TOOLCHAINS; do
	for mode in $E2E_MODES; do
		tcm=$tc-$mode
		c=failures/$tcm
		e2e_want "$c" || continue
		if ! bin=$(build_program "$tc" "$mode" failures); then
			e2e_fail "$c" "build failed: $(tail_of "$E2E_WORK/$tcm/failures.log")"
			continue
		fi

		# a panic in a goroutine: the stop at unrecovered-panic on that
		# goroutine, the failing frame's locals; then the end, a
		# breakpoint set there, reverse-continue to its last hit
		if e2e_want "$c/panic" && record_failing "$c/panic" panic 2; then
			dbg pbt breakpoints c bt
			fr=$(frame_of pbt main.fill)
			dbg panic c "frame ${fr:-3} locals" "frame ${fr:-3} print l.name" c bt \
				"print main.filled" regs "break main.fill" "clear unrecovered-panic" \
				rc "print l.name" breakpoints
			s1=$(stops panic | sed -n 1p)
			end=$(stops panic | sed -n 2p)
			back=$(stops panic | sed -n 3p)
			if [ "$(rc_of pbt)" != 0 ] || [ "$(rc_of panic)" != 0 ]; then
				e2e_fail "$c/panic" "$(show pbt) / $(show panic)"
			elif ! grep -q '^Breakpoint unrecovered-panic runtime.fatalpanic hits 0' "$work/pbt.out" ||
				! grep -q '^Breakpoint runtime-fatal-throw .*runtime.throw' "$work/pbt.out"; then
				e2e_fail "$c/panic" "failure breakpoints not listed: $(grep '^Breakpoint' "$work/pbt.out" | tr '\n' '|')"
			elif ! [[ $s1 == "> [unrecovered-panic] runtime.fatalpanic() "*" goroutine "*" (hits 1) event "* ]] ||
				! grep -q '^	runtime.curg._panic.arg: .*"assignment to entry in nil map"$' "$work/panic.out"; then
				e2e_fail "$c/panic" "stop '$s1'; $(show panic)"
			elif [ -z "$fr" ] || ! grep -q '^i = 0$' "$work/panic.out" ||
				! grep -q '^"broken"$' "$work/panic.out"; then
				e2e_fail "$c/panic" "main.fill's frame ($fr) and locals: $(head -n 12 "$work/panic.out" | tr '\n' '|')"
			elif ! [[ $end == "> runtime.exit"*" event "* ]] ||
				! grep -q '^Process exited with status 2, event [0-9]* (the end of the recording' "$work/panic.out" ||
				! grep -q 'in main\.fill$' <(sed -n '/^Process exited/,$p' "$work/panic.out") ||
				! grep -q '^3$' "$work/panic.out" || ! grep -q '^ *Rip = 0x' "$work/panic.out"; then
				e2e_fail "$c/panic" "the end is not live: $(show panic)"
			elif ! [[ $back == "> main.fill() "*"main.go:"*" (breakpoint 1, hits 2) event "* ]] ||
				[ "$(grep -c '^"broken"$' "$work/panic.out")" != 2 ] ||
				grep -q '^Breakpoint unrecovered-panic' <(sed -n '/^Breakpoint unrecovered-panic cleared/,$p' "$work/panic.out" | tail -n +2); then
				e2e_fail "$c/panic" "reverse-continue from the end: '$back'; $(show panic)"
			else
				e2e_pass "$c/panic"
			fi
		fi

		# a nil pointer dereference in a goroutine: SIGSEGV, turned into a
		# panic that nothing recovers
		if e2e_want "$c/nilderef" && record_failing "$c/nilderef" nilderef 2; then
			dbg nil c bt c
			s1=$(stops nil | sed -n 1p)
			if [ "$(rc_of nil)" != 0 ] ||
				! [[ $s1 == "> [unrecovered-panic] runtime.fatalpanic() "*" goroutine "* ]] ||
				! grep -q '^	runtime.curg._panic.arg: .*nil pointer dereference"$' "$work/nil.out" ||
				! grep -q 'in runtime.sigpanic$' "$work/nil.out" ||
				! grep -q 'in main.deref$' "$work/nil.out" ||
				! grep -q '^Process exited with status 2, ' "$work/nil.out"; then
				e2e_fail "$c/nilderef" "$(show nil)"
			else
				e2e_pass "$c/nilderef"
			fi
		fi

		# a fatal runtime error (all goroutines asleep): the stop at
		# runtime-fatal-throw, every blocked goroutine with its wait
		# reason, there and at the end
		if e2e_want "$c/deadlock" && record_failing "$c/deadlock" deadlock 2; then
			dbg dl c goroutines c goroutines "clear runtime-fatal-throw" clearall breakpoints
			s1=$(stops dl | sed -n 1p)
			blocked=$(grep -c 'Go: .*failures/main.go:[0-9]* \[' "$work/dl.out")
			if [ "$(rc_of dl)" != 0 ] ||
				! [[ $s1 == "> [runtime-fatal-throw] runtime.fatal"*" (hits 1) event "* ||
				     $s1 == "> [runtime-fatal-throw] runtime.throw"*" (hits 1) event "* ]]; then
				e2e_fail "$c/deadlock" "stop '$s1'; $(show dl)"
			elif [ "$blocked" != 6 ] || [ "$(grep -c '\[chan receive\]$' "$work/dl.out")" != 2 ] ||
				[ "$(grep -c '\[select (no cases)\]$' "$work/dl.out")" != 2 ] ||
				[ "$(grep -c "main.go:$L_MUTEX \\[\\(sync.Mutex.Lock\\|semacquire\\)\\]\$" "$work/dl.out")" != 2 ] ||
				[ "$(grep -c '^  Goroutine 1 .*\[\(sync.WaitGroup.Wait\|semacquire\)\]$' "$work/dl.out")" != 2 ]; then
				e2e_fail "$c/deadlock" "blocked goroutines ($blocked of 6 lines): $(grep 'Goroutine' "$work/dl.out" | tr '\n' '|')"
			elif ! grep -q '^Process exited with status 2, ' "$work/dl.out" ||
				! grep -q '^Breakpoint runtime-fatal-throw cleared$' "$work/dl.out" ||
				! grep -q '^Breakpoint unrecovered-panic ' <(sed -n '/^All breakpoints cleared/,$p' "$work/dl.out"); then
				e2e_fail "$c/deadlock" "end, clear, clearall: $(show dl)"
			else
				e2e_pass "$c/deadlock"
			fi
		fi

		# os.Exit(3): the end is live at the exit_group; continue stays
		# there; a breakpoint set there, reverse-continue, reverse-stepi
		# and reverse-next from the end
		if e2e_want "$c/exit" && record_failing "$c/exit" exit 3; then
			dbg exit c c when bt goroutines "print main.filled" "x -fmt hex -count 2 -size 8 \$rsp" \
				rsi c rn c "break main.fill" rc
			end1=$(stops exit | sed -n 1p)
			end2=$(stops exit | sed -n 2p)
			rsi=$(stops exit | sed -n 3p)
			rn=$(stops exit | sed -n 5p)
			back=$(stops exit | sed -n 7p)
			e1=${end1##* event }
			if [ "$(rc_of exit)" != 0 ] || ! [[ $end1 == "> runtime.exit"*" goroutine 1 event "* ]] ||
				[ "$end1" != "$end2" ] ||
				[ "$(grep -c '^Process exited with status 3, event [0-9]* (the end of the recording' "$work/exit.out")" != 4 ] ||
				! grep -q "^event $e1 thread [0-9]* goroutine 1 pc 0x[0-9a-f]* runtime.exit.* (end of the recording, exit status 3)$" "$work/exit.out"; then
				e2e_fail "$c/exit" "the end: '$end1' then '$end2'; $(show exit)"
			elif ! grep -q 'in os.Exit$' "$work/exit.out" || ! grep -q 'in main.main$' "$work/exit.out" ||
				! grep -q '^\* Goroutine 1 ' "$work/exit.out" || ! grep -q '^3$' "$work/exit.out" ||
				! grep -q '^0x[0-9a-f]*: *0x[0-9a-f]\{16\} *0x[0-9a-f]\{16\}$' "$work/exit.out"; then
				e2e_fail "$c/exit" "inspecting the end: $(show exit)"
			elif ! [[ $rsi == "> runtime.exit"*" event $((e1 - 1))" ]] || [ -z "$rn" ]; then
				e2e_fail "$c/exit" "reverse-stepi '$rsi' / reverse-next '$rn' from the end (event $e1); $(show exit)"
			elif ! [[ $back == "> main.fill() "*"main.go:"*" goroutine 1 (breakpoint 1, hits 1) event "* ]]; then
				e2e_fail "$c/exit" "reverse-continue from the end: '$back'; $(show exit)"
			else
				e2e_pass "$c/exit"
			fi
		fi

		# a hang recorded by grr flaky --timeout: the cut is live and shows
		# the hung goroutines; reverse-continue from it
		if e2e_want "$c/timeout"; then
			d=$work/flaky-$tcm
			rc=$(run_capture "$work/fl-$tcm" "$GRR" flaky --timeout 1 --runs 1 -o "$d" -- "$bin" hang)
			tr=$(find "$d" -name '*.grr' 2>/dev/null | head -n 1)
			if [ "$rc" != 1 ] || [ -z "$tr" ]; then
				e2e_fail "$c/timeout" "grr flaky: $(describe_rc "$rc"), expected 1 and a kept trace$(stderr_hint "$work/fl-$tcm.err")"
			else
				dbg hang c goroutines bt c "break main.fill" rc
				back=$(stops hang | sed -n 3p)
				if [ "$(rc_of hang)" != 0 ] ||
					[ "$(grep -c '^The recording was cut short after this point' "$work/hang.out")" != 2 ] ||
					! grep -q 'failures/main.go:[0-9]* main.hang.func1 .*\[chan receive\]$' "$work/hang.out" ||
					! grep -q 'Go: .*failures/main.go:[0-9]* \[\(sync.Mutex.Lock\|semacquire\)\]$' "$work/hang.out" ||
					! grep -q '^[ *] Goroutine 1 .*\[sleep\]$' "$work/hang.out" ||
					! grep -q '^0  0x[0-9a-f]* in ' "$work/hang.out" ||
					! [[ $back == "> main.fill() "*"main.go:"*" (breakpoint 1, hits 1) event "* ]]; then
					e2e_fail "$c/timeout" "$(show hang)"
				else
					e2e_pass "$c/timeout"
				fi
			fi
		fi
	done
done
[ "$E2E_NFAIL" = 0 ]
