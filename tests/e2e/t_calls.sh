#!/usr/bin/env bash
# t_calls.sh - `call` at a breakpoint (tests/programs/calls), for each
# toolchain and build mode: results equal what the program computes itself
# (it prints them), for functions, value and pointer methods, methods
# through an interface, struct, float, interface and slice arguments, a
# closure, multiple results and an error result; output the callee writes
# is shown; a callee that tries to create a file is refused (and the file
# is not created); a panic is reported; a pointer into the stack is refused
# unless -unsafe; a breakpoint in the callee stops the call, args there
# are the callee's, and continue finishes it; wrong calls get one-line errors; and after the calls the
# replay reaches its recorded end with no divergence.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_setup calls || exit 1
MUST_NOT_EXIST=/tmp/grr-calls-must-not-exist

for tc in $E2E_TOOLCHAINS; do
	for mode in $E2E_MODES; do
		c=calls/$tc-$mode
		e2e_want "$c" || continue
		if ! bin=$(build_program "$tc" "$mode" calls); then
			e2e_fail "$c" "build failed: $(tail_of "$E2E_WORK/$tc-$mode/calls.log")"
			continue
		fi
		tr=$work/$tc-$mode.grr
		rc=$(run_capture "$work/rec" "$GRR" record -o "$tr" -- "$bin")
		if [ "$rc" != 0 ]; then
			e2e_fail "$c" "record: $(describe_rc "$rc")$(stderr_hint "$work/rec.err")"
			continue
		fi
		rm -f "$MUST_NOT_EXIST"
		timeout 300 "$GRR" replay --batch --quiet --ex "call main.add(1, 2)" \
			--ex "break main.stop" --ex continue \
			--ex "call main.add(2, 40)" --ex 'call main.greet("grr")' \
			--ex "call main.divmod(17, 5)" --ex 'call main.shout("hey")' \
			--ex "call main.touch()" --ex "call main.boom()" \
			--ex "call main.add(1)" --ex "call main.nosuch()" \
			--ex "call a.String()" --ex "call main.scale(main.origin, 2)" \
			--ex "call main.origin.Sum()" --ex "call main.describe(main.origin.X)" \
			--ex "call main.norm(1.5, 2)" --ex "call main.shape.Area()" \
			--ex "call main.sum(main.nums)" --ex "call main.mulBy(14)" \
			--ex "print main.heapAcct.String()" --ex "call main.area(main.sq)" \
			--ex "call main.check(-1)" \
			--ex "call a.Deposit(5)" --ex "call -unsafe a.Deposit(5)" \
			--ex "break main.add" --ex "call main.add(3, 4)" --ex args --ex continue \
			--ex "clear 2" --ex continue \
			"$tr" >"$work/s.out" 2>"$work/s.err"
		src=$?
		vals=$(grep -A2 '^Values returned' "$work/s.out" | grep -o '~r[0-9]: .*' | cut -d' ' -f2- | tr '\n' '|')
		rec() { sed -n "s/^$1 //p" "$work/rec.out"; }
		want="$(rec add)|\"$(rec greet)\"|$(rec divmod | tr ' ' '|')|3|-1|\"$(rec string)\"|main.Point {X: 6, Y: 8}|$(rec pointsum)|\"$(rec describe)\"|$(rec norm)|$(rec area)|$(rec numsum)|$(rec mulby)|\"$(rec heapstring)\"|$(rec area2)|error(*errors.errorString) *{s: \"negative\"}|15|7|"
		if [ "$src" != 1 ]; then
			e2e_fail "$c" "session exit $src (want 1: some calls fail on purpose); $(tail -c 300 "$work/s.err")"
		elif [ "$vals" != "$want" ]; then
			e2e_fail "$c" "results '$vals', the program printed '$want'; errors: $(tr '\n' '|' <"$work/s.err")"
		elif ! grep -q '^shout: hey$' "$work/s.out"; then
			e2e_fail "$c" "the callee's output is not shown: $(tail -n 5 "$work/s.out" | tr '\n' '|')"
		elif [ -e "$MUST_NOT_EXIST" ]; then
			e2e_fail "$c" "a call created $MUST_NOT_EXIST"
		elif ! grep -q '^The call panicked: "boom"$' "$work/s.out"; then
			e2e_fail "$c" "no panic report: $(tail -n 5 "$work/s.out" | tr '\n' '|')"
		elif ! grep -q "^> main.add() .*main.go:[0-9]* (breakpoint 2) inside the call of main.add" "$work/s.out" ||
			! grep -A4 '^The call is stopped there' "$work/s.out" | grep -q '^a = 3$' ||
			! grep -A4 '^The call is stopped there' "$work/s.out" | grep -q '^b = 4$'; then
			e2e_fail "$c" "the breakpoint in the callee did not stop the call: $(grep -A3 'break main.add\|Breakpoint 2' "$work/s.out" | tr '\n' '|')"
		elif [ "$(grep -c '^error: ' "$work/s.err")" != 4 ] ||
			! grep -q 'calls need a stop inside a goroutine' "$work/s.err" ||
			! grep -q 'not enough arguments in call to main.add' "$work/s.err" ||
			! grep -q "points to the goroutine's stack.*call -unsafe" "$work/s.err"; then
			e2e_fail "$c" "errors: $(tr '\n' '|' <"$work/s.err")"
		elif ! grep -q '^Process exited with status 0' "$work/s.out"; then
			e2e_fail "$c" "the replay did not reach its end after the calls: $(tail -n 3 "$work/s.out" | tr '\n' '|') $(tail -c 300 "$work/s.err")"
		else
			e2e_pass "$c"
		fi
	done
done
[ "$E2E_NFAIL" = 0 ]
