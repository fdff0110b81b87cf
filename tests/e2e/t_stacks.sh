#!/usr/bin/env bash
# t_stacks.sh - goroutines and stacks at a recorded moment, on
# tests/programs/gostacks for each toolchain and build mode.  The program
# prints each goroutine's id and role as the runtime reports it; at the
# breakpoint in allBlocked (where the inspector goroutine runs) every
# other role must be listed by `goroutines` with
# its wait reason and the line of its go statement; `bt` of the deepest
# goroutine shows its five recursive calls and its pending deferred call;
# an inlined call is marked;
# frame/up/down select frames; `goroutine N` switches and `print` sees the
# selected frame's variables; unknown goroutines and frames, and a call on
# a parked goroutine, are one-line errors and the session goes on.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_setup stacks || exit 1
SRC=$E2E_PROGRAMS_DIR/gostacks/main.go
line_of() { grep -n "// @$1\$" "$SRC" | cut -d: -f1; }

goid_of() { # ROLE -> the goroutine id the program printed for it
	awk -v r="$1" '$1 == r && $2 == "goroutine" { print $3 }' "$work/$tc-$mode-rec.out"
}

# wait reasons by role; sync.Mutex.Lock waits in semacquire before Go 1.24
want_status() {
	case $1 in
	receiver | deep | inliner) echo 'chan receive' ;;
	sleeper) echo 'sleep' ;;
	selecter) echo 'select' ;;
	locker) echo 'sync.Mutex.Lock|semacquire' ;;
	esac
}

for tc in $E2E_TOOLCHAINS; do
	for mode in $E2E_MODES; do
		c=stacks/$tc-$mode
		e2e_want "$c" || continue
		build_and_record "$c" "$tc" "$mode" gostacks || continue

		# goroutines: every role, its status and its go statement's line
		if e2e_want "$c/goroutines"; then
			dbg grs "break main.allBlocked" c goroutines
			bad=""
			for role in receiver locker sleeper selecter deep inliner; do
				id=$(goid_of $role)
				row=$(grep -E "^[* ] Goroutine $id - " "$work/grs.out")
				gl=$(line_of go_$role)
				if [ -z "$id" ] || ! [[ $row =~ \[($(want_status $role))\]$ ]] ||
					! [[ $row == *"Go: ./"*"gostacks/main.go:$gl "* ]]; then
					bad+="$role(id '$id'): '$row' "
				fi
			done
			cur=$(grep '^\* Goroutine' "$work/grs.out")
			if [ "$(rc_of grs)" != 0 ] || [ -n "$bad" ] ||
				! [[ $cur == "* Goroutine "*" - User: ./"*"gostacks/main.go:$(line_of allblocked) main.allBlocked "*"[running]" ]] ||
				! grep -qE '^\[[0-9]+ goroutines\]$' "$work/grs.out"; then
				e2e_fail "$c/goroutines" "$bad; current '$cur'; $(show grs)"
			else
				e2e_pass "$c/goroutines"
			fi
		fi

		# bt of the deep goroutine: recurse five times under main.deep;
		# frame/up/down and print in a selected frame
		if e2e_want "$c/stack"; then
			dg=$(goid_of deep)
			dbg bt "break main.allBlocked" c "goroutine $dg" bt "frame 3" up down \
				"print n" "frame 99" "goroutine 99999" bt "call main.recurse(0)"
			nrec=$(grep -c ' in main\.recurse$' "$work/bt.out")
			f3=$(grep '^Frame 3:' "$work/bt.out")
			f4=$(grep '^Frame 4:' "$work/bt.out")
			# frame 3 of the deep goroutine (under gopark, chanrecv and
			# chanrecv1) is recurse(0), and after up and down print n says 0
			# (in -N -l builds; optimized code keeps no copy of n there)
			if [ "$(rc_of bt)" != 1 ] || [ "$nrec" != 10 ] ||
				! grep -q ' in main\.deep$' "$work/bt.out" ||
				! grep -q "^Switched from [0-9]* to $dg" "$work/bt.out" ||
				! [[ $f3 == "Frame 3: main.recurse() ./"*"gostacks/main.go:$(line_of bottom) "* ]] ||
				! [[ $f4 == "Frame 4: main.recurse() ./"*"gostacks/main.go:$(line_of recurse) "* ]] ||
				{ [ "$mode" = debug ] && ! grep -qx '0' "$work/bt.out"; } ||
				! grep -q '^error: no frame 99' "$work/bt.err" ||
				! grep -q '^error: no goroutine 99999' "$work/bt.err" ||
				! grep -q "^error: goroutine $dg is not running on a thread" "$work/bt.err"; then
				e2e_fail "$c/stack" "recurse frames $nrec, '$f3' '$f4'; $(show bt)"
			else
				e2e_pass "$c/stack"
			fi
		fi

		# stack -defer: the deep goroutine's pending `defer done.Done()`,
		# under main.deep, as Delve shows it: the function called, not the
		# compiler's wrapper, and where it was deferred (-N -l: optimized
		# code runs it inline, with no defer record)
		if [ "$mode" = debug ] && e2e_want "$c/defer"; then
			dbg defer "break main.allBlocked" c "goroutine $(goid_of deep)" "stack -defer"
			if [ "$(rc_of defer)" != 0 ] ||
				! grep -A4 ' in main\.deep$' "$work/defer.out" |
				grep -A2 '^       defer 1: 0x[0-9a-f]* in sync\.(\*WaitGroup)\.Done$' |
				grep -q "^ *deferred by main\.deep at .*main.go:$(line_of deferdeep)\$"; then
				e2e_fail "$c/defer" "$(show defer)"
			else
				e2e_pass "$c/defer"
			fi
		fi

		# an inlined call is a frame of its own, marked, in optimized builds
		if [ "$mode" = opt ] && e2e_want "$c/inlined"; then
			dbg inl "break main.allBlocked" c "goroutine $(goid_of inliner)" bt
			if [ "$(rc_of inl)" != 0 ] ||
				! grep -A1 ' in main\.waitInl (inlined)$' "$work/inl.out" |
				grep -q "main.go:$(line_of inl)\$" ||
				! grep -A1 ' in main\.inliner$' "$work/inl.out" |
				grep -q "main.go:$(line_of callinl)\$"; then
				e2e_fail "$c/inlined" "$(show inl)"
			else
				e2e_pass "$c/inlined"
			fi
		fi
	done
done
[ "$E2E_NFAIL" = 0 ]
