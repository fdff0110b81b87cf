#!/usr/bin/env bash
# t_calls.sh - `call` at a breakpoint (tests/programs/calls), for each
# toolchain and build mode: results equal what the program computes itself
# (it prints them); output the callee writes is shown; a callee that tries
# to create a file is refused (and the file is not created); a panic is
# reported; wrong calls get one-line errors; and after the calls the
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
			--ex "call main.add(1)" --ex "call main.nosuch()" --ex continue \
			"$tr" >"$work/s.out" 2>"$work/s.err"
		src=$?
		vals=$(grep -A2 '^Values returned' "$work/s.out" | grep -o '~r[0-9]: .*' | cut -d' ' -f2- | tr '\n' '|')
		want="$(sed -n 's/^add //p' "$work/rec.out")|\"$(sed -n 's/^greet //p' "$work/rec.out")\"|$(sed -n 's/^divmod //p' "$work/rec.out" | tr ' ' '|')|3|-1|"
		if [ "$src" != 1 ]; then
			e2e_fail "$c" "session exit $src (want 1: some calls fail on purpose); $(tail -c 300 "$work/s.err")"
		elif [ "$vals" != "$want" ]; then
			e2e_fail "$c" "results '$vals', the program printed '$want'"
		elif ! grep -q '^shout: hey$' "$work/s.out"; then
			e2e_fail "$c" "the callee's output is not shown: $(tail -n 5 "$work/s.out" | tr '\n' '|')"
		elif [ -e "$MUST_NOT_EXIST" ]; then
			e2e_fail "$c" "a call created $MUST_NOT_EXIST"
		elif ! grep -q '^The call panicked: "boom"$' "$work/s.out"; then
			e2e_fail "$c" "no panic report: $(tail -n 5 "$work/s.out" | tr '\n' '|')"
		elif [ "$(grep -c '^error: ' "$work/s.err")" != 3 ] ||
			! grep -q 'calls need a stop inside a goroutine' "$work/s.err" ||
			! grep -q 'takes 2 arguments, 1 given' "$work/s.err"; then
			e2e_fail "$c" "errors: $(tr '\n' '|' <"$work/s.err")"
		elif ! grep -q '^Process exited with status 0' "$work/s.out"; then
			e2e_fail "$c" "the replay did not reach its end after the calls: $(tail -n 3 "$work/s.out" | tr '\n' '|') $(tail -c 300 "$work/s.err")"
		else
			e2e_pass "$c"
		fi
	done
done
[ "$E2E_NFAIL" = 0 ]
