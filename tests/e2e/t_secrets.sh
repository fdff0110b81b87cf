#!/usr/bin/env bash
# t_secrets.sh - traces that are safe to share: grr record and grr flaky
# withhold the environment variables whose names look secret, say so on
# one line, and `grr info` names them; their values are nowhere in the
# trace (strings, grr dump, grr info), packed or not, and the trace still
# replays exactly.  --keep-env NAME passes one on (and grr info says the
# trace carries it).  `grr info --inputs` lists the file the program read,
# with its bytes, and the bytes of stdin, and the socket peers of
# tests/programs/loopback with the bytes received; `grr pack` sums it up in
# a line.
# tests/programs/envinputs prints the sizes of a file and of its stdin,
# and the variables named on its command line.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=secrets
e2e_setup secrets || exit 1

s1=mysecret-$RANDOM$RANDOM-value
s2=ghp_$RANDOM$RANDOM$RANDOM
s3=aws-$RANDOM$RANDOM-key
plain=plain-$RANDOM
printf 'twelve bytes' >"$work/input.txt"
printf 'seven b' >"$work/stdin.txt"
names="MYSECRET_TOKEN GITHUB_TOKEN AWS_SECRET_ACCESS_KEY PLAIN_VAR"
secret_env() {
	env MYSECRET_TOKEN="$s1" GITHUB_TOKEN="$s2" AWS_SECRET_ACCESS_KEY="$s3" PLAIN_VAR="$plain" "$@"
}

# no_secret CASE FILE WHAT: fails CASE (returns 1) if FILE holds a value.
no_secret() {
	local s
	for s in "$s1" "$s2" "$s3"; do
		if grep -aqF -- "$s" "$2"; then
			e2e_fail "$1" "$3 holds the value of a withheld variable ($s)"
			return 1
		fi
	done
}

# trace_clean CASE TRACE: strings, grr dump (text and JSON), grr info and
# grr info --inputs --values of TRACE hold no value.
trace_clean() {
	strings -a "$2" >"$work/strings" && no_secret "$1" "$work/strings" "strings $(basename "$2")" &&
		"$GRR" dump "$2" >"$work/dump" 2>&1 && no_secret "$1" "$work/dump" "grr dump" &&
		"$GRR" dump --json "$2" >"$work/dumpj" 2>&1 && no_secret "$1" "$work/dumpj" "grr dump --json" &&
		"$GRR" info "$2" >"$work/info" 2>&1 && no_secret "$1" "$work/info" "grr info" &&
		"$GRR" info --inputs --values "$2" >"$work/inputs" 2>&1 &&
		no_secret "$1" "$work/inputs" "grr info --inputs --values"
}

for tc in $E2E_TOOLCHAINS; do
	c=$T/$tc
	e2e_want "$c" || continue
	if ! prog=$(build_program "$tc" opt envinputs); then
		e2e_fail "$c" "build of envinputs failed: $(tail_of "$E2E_WORK/$tc-opt/envinputs.log")"
		continue
	fi
	tr=$work/$tc.grr
	# shellcheck disable=SC2086
	secret_env timeout -k 5 "$E2E_TIMEOUT" "$GRR" record -o "$tr" -- "$prog" "$work/input.txt" $names \
		<"$work/stdin.txt" >"$work/rec.out" 2>"$work/rec.err"
	rc=$?
	k=$c/withheld
	line=$(grep 'withheld' "$work/rec.err")
	if [ "$rc" != 0 ]; then
		e2e_fail "$k" "record: $(describe_rc "$rc")$(stderr_hint "$work/rec.err")"
		continue
	elif ! grep -qx "MYSECRET_TOKEN unset" "$work/rec.out" || ! grep -qx "GITHUB_TOKEN unset" "$work/rec.out" ||
		! grep -qx "AWS_SECRET_ACCESS_KEY unset" "$work/rec.out"; then
		e2e_fail "$k" "the program saw a secret-looking variable: $(tr '\n' '|' <"$work/rec.out")"
	elif ! grep -qx "PLAIN_VAR=$plain" "$work/rec.out"; then
		e2e_fail "$k" "an ordinary variable did not pass: $(tr '\n' '|' <"$work/rec.out")"
	elif [ "$(grep -c 'withheld' "$work/rec.err")" != 1 ] ||
		! [[ $line == "grr record: withheld "*" MYSECRET_TOKEN"* ]] || [[ $line != *" GITHUB_TOKEN"* ]] ||
		[[ $line != *" AWS_SECRET_ACCESS_KEY"* ]]; then
		e2e_fail "$k" "no one line on stderr naming what was withheld: $(head -c 300 "$work/rec.err")"
	else
		e2e_pass "$k"
	fi

	k=$c/not_in_trace
	if trace_clean "$k" "$tr"; then
		w=$(grep '^withheld:' "$work/info")
		if [[ $w != *" MYSECRET_TOKEN"* ]] || [[ $w != *" GITHUB_TOKEN"* ]] || [[ $w != *" AWS_SECRET_ACCESS_KEY"* ]]; then
			e2e_fail "$k" "grr info does not name the withheld variables: $w"
		elif ! grep -q '^environment: .* PLAIN_VAR' "$work/info"; then
			e2e_fail "$k" "grr info does not name the variables kept: $(grep '^environment' "$work/info" | head -c 200)"
		elif ! grep -qx "  PLAIN_VAR=$plain" "$work/inputs"; then
			e2e_fail "$k" "grr info --inputs --values does not show PLAIN_VAR's value"
		else
			e2e_pass "$k"
		fi
	fi

	k=$c/replay
	rc=$(run_capture "$work/rep" "$GRR" replay --autopilot "$tr")
	if [ "$rc" != 0 ]; then
		e2e_fail "$k" "replay: $(describe_rc "$rc")$(stderr_hint "$work/rep.err")"
	elif ! why=$(same_output "replay stdout" "$work/rec.out" "$work/rep.out"); then
		e2e_fail "$k" "$why"
	else
		e2e_pass "$k"
	fi

	k=$c/inputs
	"$GRR" info --inputs "$tr" >"$work/inputs" 2>&1
	if ! grep -qE "^  $work/input.txt  12 B read, opened 1 time$" "$work/inputs"; then
		e2e_fail "$k" "grr info --inputs does not list $work/input.txt with 12 B: $(grep -A3 '^files' "$work/inputs" | tr '\n' '|')"
	elif ! grep -qx 'stdin:        7 B read' "$work/inputs"; then
		e2e_fail "$k" "grr info --inputs does not show 7 B of stdin: $(grep stdin "$work/inputs")"
	elif ! grep -qx '  PLAIN_VAR' "$work/inputs" || grep -q "$plain" "$work/inputs"; then
		e2e_fail "$k" "grr info --inputs lists names without values? $(head -c 200 "$work/inputs")"
	else
		e2e_pass "$k"
	fi

	k=$c/peers
	if ! lb=$(build_program "$tc" opt loopback); then
		e2e_fail "$k" "build of loopback failed: $(tail_of "$E2E_WORK/$tc-opt/loopback.log")"
	elif rc=$(run_capture "$work/lb" "$GRR" record -o "$work/lb.grr" -- "$lb") && [ "$rc" != 0 ]; then
		e2e_fail "$k" "record loopback: $(describe_rc "$rc")$(stderr_hint "$work/lb.err")"
	else
		"$GRR" info --inputs "$work/lb.grr" >"$work/lb.inputs" 2>&1
		if ! grep -qx 'socket peers: 2' "$work/lb.inputs" ||
			[ "$(grep -cE '^  127\.0\.0\.1:[0-9]+  [0-9.]+ [KM]?B received, 1 connection$' "$work/lb.inputs")" != 2 ] ||
			grep -qE '^  127.* 0 B received' "$work/lb.inputs"; then
			e2e_fail "$k" "grr info --inputs does not list loopback's two peers with their bytes: $(sed -n '/^socket/,$p' "$work/lb.inputs" | tr '\n' '|')"
		else
			e2e_pass "$k"
		fi
	fi

	k=$c/packed
	if ! "$GRR" pack -o "$work/packed.grr" "$tr" >"$work/pack.out" 2>&1; then
		e2e_fail "$k" "pack: $(tail_of "$work/pack.out")"
	elif ! grep -q ': carries: [0-9]* environment variables ([0-9]* withheld), [0-9]* files\? read (.*), [0-9]* socket peers\? (.*), stdin 7 B' "$work/pack.out"; then
		e2e_fail "$k" "grr pack does not sum up what the trace carries: $(tr '\n' '|' <"$work/pack.out")"
	elif trace_clean "$k" "$work/packed.grr"; then
		e2e_pass "$k"
	fi

	k=$c/keep_env
	# shellcheck disable=SC2086
	secret_env timeout -k 5 "$E2E_TIMEOUT" "$GRR" record --keep-env MYSECRET_TOKEN -o "$work/keep.grr" -- \
		"$prog" "$work/input.txt" $names <"$work/stdin.txt" >"$work/keep.out" 2>"$work/keep.err"
	rc=$?
	"$GRR" info "$work/keep.grr" >"$work/keep.info" 2>&1
	"$GRR" info --inputs --values "$work/keep.grr" >"$work/keep.inputs" 2>&1
	if [ "$rc" != 0 ]; then
		e2e_fail "$k" "record --keep-env: $(describe_rc "$rc")$(stderr_hint "$work/keep.err")"
	elif ! grep -qx "MYSECRET_TOKEN=$s1" "$work/keep.out" || ! grep -qx "GITHUB_TOKEN unset" "$work/keep.out"; then
		e2e_fail "$k" "--keep-env MYSECRET_TOKEN: the program saw $(tr '\n' '|' <"$work/keep.out")"
	elif ! grep -q '^kept secret: *MYSECRET_TOKEN ' "$work/keep.info" || grep '^withheld:' "$work/keep.info" | grep -q MYSECRET_TOKEN; then
		e2e_fail "$k" "grr info does not say the trace carries MYSECRET_TOKEN: $(grep -E '^(withheld|kept)' "$work/keep.info" | tr '\n' '|')"
	elif ! grep -qx "  MYSECRET_TOKEN=$s1" "$work/keep.inputs"; then
		e2e_fail "$k" "grr info --inputs --values does not show the kept value"
	else
		e2e_pass "$k"
	fi

	k=$c/flaky
	# (--match makes the run "fail", so that its trace is kept and packed)
	# shellcheck disable=SC2086
	secret_env timeout -k 5 "$E2E_TIMEOUT" "$GRR" flaky -q --runs 1 --match 'GITHUB_TOKEN unset' \
		--keep-env MYSECRET_TOKEN -o "$work/flaky" -- "$prog" "$work/input.txt" $names \
		>"$work/flaky.out" 2>"$work/flaky.err"
	rc=$?
	kept=$(ls "$work"/flaky/*.grr 2>/dev/null | head -n 1)
	if [ "$rc" != 1 ] || [ -z "$kept" ]; then
		e2e_fail "$k" "grr flaky: $(describe_rc "$rc"), expected 1 with a kept trace$(stderr_hint "$work/flaky.err")"
	elif [ "$(grep -c '^grr flaky: withheld .* GITHUB_TOKEN' "$work/flaky.err")" != 1 ] ||
		grep -q MYSECRET_TOKEN "$work/flaky.err"; then
		e2e_fail "$k" "grr flaky does not name what it withheld, once: $(head -c 300 "$work/flaky.err")"
	elif grep -q 'withheld' "$work"/flaky/*.out; then
		e2e_fail "$k" "the run's output file has the recorder's notice"
	elif ! grep -qx "MYSECRET_TOKEN=$s1" "$work"/flaky/*.out; then
		e2e_fail "$k" "--keep-env did not reach the recording: $(head -c 200 "$work"/flaky/*.out)"
	else
		s1_saved=$s1
		s1=never-matches-$RANDOM   # MYSECRET_TOKEN was kept: only the others must be absent
		trace_clean "$k" "$kept" && e2e_pass "$k"
		s1=$s1_saved
	fi
done

[ "$E2E_NFAIL" = 0 ]
