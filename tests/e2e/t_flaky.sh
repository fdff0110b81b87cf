#!/usr/bin/env bash
# t_flaky.sh - `grr flaky` on tests/programs/flakytest (Go 1.26, opt; a
# test binary built with `go test -c`):
#   finds_failure  TestUrgentFirst fails in about 1 run in 8 (select picks
#                  its case at random): found within 80 runs; exactly that
#                  trace (packed) and its output are kept, the others
#                  deleted; the trace replays to the same output and exit
#                  status
#   chaos_seed     --chaos: each run's seed is printed for the kept run and
#                  stored in its trace, which replays to the same output
#   timeout        TestHang (FLAKYTEST_HANG=1) never ends: --timeout 1
#                  stops it, the kept trace replays to the cut (exit 137,
#                  "cut short") with the output printed before the hang,
#                  and the debugger stops there with the program alive
#   all_pass       TestPasses: every run passes, nothing is kept, exit 0
#   match          --match fails a run that exits 0 but prints PASS
#   go_test_exec   `go test -exec 'grr flaky ... --'`: the test binary go
#                  builds in a temporary directory is gone afterwards, and
#                  the packed trace still replays
#   errors         a program that is not Go (exit 125, nothing left
#                  behind), usage errors (exit 2)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=flaky
e2e_setup flaky || exit 1
ft=$(build_program go126 opt flakytest) || { e2e_fail $T "build of flakytest failed: $(tail_of "$E2E_WORK/go126-opt/flakytest.log")"; exit 1; }
mkdir -p "$work/bin"
cp "$ft" "$work/bin/flakytest.test"
bin=$work/bin/flakytest.test

# traces DIR: the .grr files in DIR, one per line.
traces() { find "$1" -maxdepth 1 -name '*.grr' | sort; }

# check_replay CASE TRACE WANT_RC [STDOUT_FILE]: replays TRACE, expects exit
# WANT_RC and, if given, STDOUT_FILE's content on stdout.
check_replay() {
	local c=$1 tr=$2 want=$3 out=${4:-} rc
	rc=$(run_capture "$work/rep" "$GRR" replay --autopilot "$tr")
	if [ "$rc" != "$want" ]; then
		e2e_fail "$c" "replay: $(describe_rc "$rc"), expected $want$(stderr_hint "$work/rep.err")"
		return 1
	fi
	if [ -n "$out" ] && ! why=$(same_output "replay stdout" "$out" "$work/rep.out"); then
		e2e_fail "$c" "$why"
		return 1
	fi
	return 0
}

# (a) a flaky test, found, kept, packed, replayed
if e2e_want $T/finds_failure; then
	d=$work/a
	rc=$(run_capture "$work/a" "$GRR" flaky --runs 80 -o "$d" -- \
		"$bin" -test.run 'TestUrgentFirst$' -test.count=1)
	kept=$(traces "$d")
	if [ "$rc" != 1 ]; then
		e2e_fail $T/finds_failure "grr flaky: $(describe_rc "$rc"), expected 1 (a failure found)$(stderr_hint "$work/a.err"); stdout: $(head -c 300 "$work/a.out")"
	elif ! grep -q '^grr flaky: [0-9]* runs\? in .*, 1 failed (1 non-zero exit)$' "$work/a.out"; then
		e2e_fail $T/finds_failure "no summary line: $(head -n 3 "$work/a.out")"
	elif [ "$(echo "$kept" | grep -c .)" != 1 ]; then
		e2e_fail $T/finds_failure "expected exactly one kept trace, got: $(ls "$d")"
	elif ! grep -q '^run [0-9]*: exit status 1$' "$work/a.out"; then
		e2e_fail $T/finds_failure "no 'run N: exit status 1' line: $(head -c 400 "$work/a.out")"
	elif [ "$(find "$d" -name '*.out' | wc -l)" != 1 ] || [ ! -s "${kept%.grr}.out" ]; then
		e2e_fail $T/finds_failure "the failing run's output is not beside its trace: $(ls "$d")"
	elif ! grep -q 'urgent message handled too late' "${kept%.grr}.out"; then
		e2e_fail $T/finds_failure "the kept output is not the failure's: $(tail_of "${kept%.grr}.out")"
	elif ! grep -qF "replay:  grr replay --autopilot $kept" "$work/a.out"; then
		e2e_fail $T/finds_failure "the summary does not say how to replay $kept"
	elif [ "$(readlink -f "$d/latest-trace")" != "$(readlink -f "$kept")" ]; then
		e2e_fail $T/finds_failure "latest-trace does not point at the kept trace"
	elif ! "$GRR" info "$kept" >"$work/a.info" 2>&1 || ! grep -q '^packed: *yes' "$work/a.info"; then
		e2e_fail $T/finds_failure "grr info: not packed: $(grep -E 'packed' "$work/a.info")"
	elif check_replay $T/finds_failure "$kept" 1 "${kept%.grr}.out"; then
		e2e_pass $T/finds_failure
	fi
fi

# (a2) --chaos: a seed per run, printed and stored
if e2e_want $T/chaos_seed; then
	d=$work/a2
	rc=$(run_capture "$work/a2" "$GRR" flaky --chaos --runs 3 --match '^PASS$' --no-pack -o "$d" -- \
		"$bin" -test.run 'TestPasses$')
	kept=$(traces "$d")
	seed=$(sed -n "s/^run 1: output matched .* (chaos seed \([0-9]*\))\$/\1/p" "$work/a2.out")
	if [ "$rc" != 1 ]; then
		e2e_fail $T/chaos_seed "grr flaky: $(describe_rc "$rc"), expected 1$(stderr_hint "$work/a2.err")"
	elif [ -z "$seed" ]; then
		e2e_fail $T/chaos_seed "no 'run 1: ... (chaos seed S)' line: $(head -c 400 "$work/a2.out")"
	elif ! "$GRR" info "$kept" | grep -q "^chaos mode: *on, seed $seed\$"; then
		e2e_fail $T/chaos_seed "the trace does not hold seed $seed: $("$GRR" info "$kept" | grep chaos)"
	elif check_replay $T/chaos_seed "$kept" 0 "${kept%.grr}.out"; then
		e2e_pass $T/chaos_seed
	fi
fi

# (b) a hang, stopped by --timeout; the trace replays up to the cut
if e2e_want $T/timeout; then
	d=$work/b
	rc=$(FLAKYTEST_HANG=1 run_capture "$work/b" "$GRR" flaky --timeout 1 --runs 3 -o "$d" -- \
		"$bin" -test.run 'TestHang$' -test.count=1)
	kept=$(traces "$d")
	if [ "$rc" != 1 ]; then
		e2e_fail $T/timeout "grr flaky: $(describe_rc "$rc"), expected 1$(stderr_hint "$work/b.err")"
	elif ! grep -q '^run 1: timed out after 1 s' "$work/b.out"; then
		e2e_fail $T/timeout "run 1 not reported as timed out: $(head -n 3 "$work/b.out")"
	elif [ "$(echo "$kept" | grep -c .)" != 1 ]; then
		e2e_fail $T/timeout "expected one kept trace, got: $(ls "$d")"
	elif check_replay $T/timeout "$kept" 137; then
		if ! grep -q 'TestHang: taking the lock again' "$work/rep.out"; then
			e2e_fail $T/timeout "replay did not print the output before the hang: $(head -c 200 "$work/rep.out")"
		elif ! grep -q '^grr: the recording was cut short here (event [0-9]*)$' "$work/rep.err"; then
			e2e_fail $T/timeout "replay did not say the recording was cut short: $(tail_of "$work/rep.err")"
		elif ! "$GRR" replay --batch --quiet --ex continue --ex when "$kept" >"$work/bd.out" 2>&1 ||
			! grep -q '^The recording was cut short after this point' "$work/bd.out" ||
			! grep -q '^event [0-9]* thread' "$work/bd.out"; then
			e2e_fail $T/timeout "the debugger does not stop where the recording was cut: $(tail -n 3 "$work/bd.out" | tr '\n' '|')"
		else
			e2e_pass $T/timeout
		fi
	fi
fi

# (c) every run passes
if e2e_want $T/all_pass; then
	d=$work/c
	rc=$(run_capture "$work/c" "$GRR" flaky --runs 5 -o "$d" -- "$bin" -test.run 'TestPasses$')
	if [ "$rc" != 0 ]; then
		e2e_fail $T/all_pass "grr flaky: $(describe_rc "$rc"), expected 0$(stderr_hint "$work/c.err")"
	elif ! grep -q '^grr flaky: 5 runs in .*, all passed; no trace kept$' "$work/c.out"; then
		e2e_fail $T/all_pass "summary: $(head -n 2 "$work/c.out")"
	elif [ -n "$(ls -A "$d")" ]; then
		e2e_fail $T/all_pass "files left behind: $(ls "$d")"
	else
		e2e_pass $T/all_pass
	fi
fi

# (d) --match: output that counts as a failure
if e2e_want $T/match; then
	d=$work/d
	rc=$(run_capture "$work/d" "$GRR" flaky --match '^PA+SS$' --no-pack -o "$d" -- "$bin" -test.run 'TestPasses$')
	kept=$(traces "$d")
	if [ "$rc" != 1 ]; then
		e2e_fail $T/match "grr flaky: $(describe_rc "$rc"), expected 1$(stderr_hint "$work/d.err")"
	elif ! grep -q "^run 1: output matched '^PA+SS\$': PASS\$" "$work/d.out"; then
		e2e_fail $T/match "run 1 not reported as matched: $(head -n 3 "$work/d.out")"
	elif ! grep -q '(not packed: --no-pack)' "$work/d.out" || ! "$GRR" info "$kept" | grep -q '^packed: *no'; then
		e2e_fail $T/match "--no-pack: the trace was packed"
	elif check_replay $T/match "$kept" 0 "${kept%.grr}.out"; then
		e2e_pass $T/match
	fi
fi

# (e) go test -exec: the test binary is gone after go test, the packed trace replays
if e2e_want $T/go_test_exec; then
	d=$work/e
	(cd "$E2E_PROGRAMS_DIR" && go_env "$(go_for go126)" test -exec "$GRR flaky --runs 80 -q -o $d --" \
		-run 'TestUrgentFirst$' -count=1 ./flakytest) >"$work/e.out" 2>"$work/e.err"
	rc=$?
	kept=$(traces "$d")
	if [ "$rc" = 0 ]; then
		e2e_fail $T/go_test_exec "go test passed: no failing run in 80 ($(tail_of "$work/e.out"))"
	elif [ "$(echo "$kept" | grep -c .)" != 1 ]; then
		e2e_fail $T/go_test_exec "expected one kept trace, got: $(ls "$d" 2>&1)$(stderr_hint "$work/e.err")"
	elif prog=$("$GRR" info "$kept" | sed -n 's/^program: *//p') && [ -e "$prog" ]; then
		e2e_fail $T/go_test_exec "the test binary $prog still exists after go test"
	elif check_replay $T/go_test_exec "$kept" 1 "${kept%.grr}.out"; then
		e2e_pass $T/go_test_exec
	fi
fi

# (f) errors: not a Go program; usage
if e2e_want $T/errors; then
	d=$work/f
	rc=$(run_capture "$work/f" "$GRR" flaky -o "$d" -- /bin/true)
	if [ "$rc" != 125 ]; then
		e2e_fail $T/errors "flaky on /bin/true: $(describe_rc "$rc"), expected 125$(stderr_hint "$work/f.err")"
	elif ! grep -q '^grr flaky: run 1: the recording failed: grr record: .*not a Go program' "$work/f.err"; then
		e2e_fail $T/errors "no 'recording failed ... not a Go program' line: $(head -c 300 "$work/f.err")"
	elif [ -n "$(ls -A "$d")" ]; then
		e2e_fail $T/errors "files left behind: $(ls "$d")"
	else
		bad=
		for args in "" "--runs 0 -- $bin" "--runs x -- $bin" "--timeout 5parsecs -- $bin" \
			"--match ( -- $bin" "--keep -1 -- $bin" "--bogus -- $bin"; do
			# shellcheck disable=SC2086
			rc=$(run_capture "$work/u" "$GRR" flaky $args)
			n=$(wc -l <"$work/u.err")
			if [ "$rc" != 2 ] || [ "$n" != 1 ] || ! grep -q '^grr flaky: ' "$work/u.err"; then
				bad+="'grr flaky $args': $(describe_rc "$rc"), $n stderr lines: $(head -c 100 "$work/u.err"); "
			fi
		done
		if [ -n "$bad" ]; then
			e2e_fail $T/errors "usage errors: $bad"
		else
			e2e_pass $T/errors
		fi
	fi
fi

[ "$E2E_NFAIL" = 0 ]
