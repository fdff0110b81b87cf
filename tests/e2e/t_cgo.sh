#!/usr/bin/env bash
# t_cgo.sh - programs built with cgo on (the default wherever a C compiler
# is installed): dynamically linked against glibc, started by ld.so, with
# threads made by pthread_create.  tests/programs/cgocall calls C from
# several goroutines and C calls back into Go; httpecho and loopback import
# net, which links them with glibc's resolver.  With both toolchains:
#
#   cgo/TC/NAME     record, then replay to the same stdout, stderr and exit
#                   status (cgocall also under --chaos, seeds 1 and 2)
#   cgo/TC/rseq     glibc's rseq registrations were refused (ENOSYS) while
#                   recording: the kernel would otherwise write the current
#                   CPU into the program's memory behind the log's back
#   cgo/TC/debugger at a breakpoint in the Go callback, the goroutine list
#                   names it as the current goroutine's frame (the g is
#                   found in the TLS slot the symbols give, below C's own
#                   thread-locals) and the backtrace goes through
#                   runtime.cgocallback; in main, a Go function can be
#                   called and a C one is refused with a reason
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=cgo
e2e_setup cgo || exit 1

# replay_same CASE TRACE RECPREFIX: the replay of TRACE prints RECPREFIX's
# stdout and stderr and exits with its status; prints why not.
replay_same() {
	local n=$1 tr=$2 recp=$3 rc rrc why
	rc=$(cat "$recp.rc")
	rrc=$(run_capture "$work/$n-rep" "$GRR" replay --autopilot "$tr")
	if [ "$rrc" != "$rc" ]; then
		echo "recorded $(describe_rc "$rc"), replayed $(describe_rc "$rrc")$(stderr_hint "$work/$n-rep.err")"
		return 1
	fi
	why=$(same_output "stdout" "$recp.out" "$work/$n-rep.out") || { echo "$why"; return 1; }
	# (grr's own warning about the dynamic linking is on the recording's
	# stderr only)
	grep -v '^grr: ' "$recp.err" >"$recp.prog-err"
	why=$(same_output "stderr" "$recp.prog-err" "$work/$n-rep.err") || { echo "$why"; return 1; }
}

for tc in $E2E_TOOLCHAINS; do
	for spec in "cgocall" "httpecho 300" "loopback"; do
		read -r prog args <<<"$spec"
		c=$T/$tc/$prog
		e2e_want "$c" || continue
		if ! bin=$(build_program "$tc" cgo "$prog"); then
			e2e_fail "$c" "build failed: $(tail_of "$E2E_WORK/$tc-cgo/$prog.log")"
			continue
		fi
		if ! readelf -l "$bin" 2>/dev/null | grep -q INTERP; then
			e2e_fail "$c" "$bin is not dynamically linked: not a cgo build"
			continue
		fi
		fails=
		seeds=plain
		[ "$prog" = cgocall ] && seeds="plain 1 2"
		for seed in $seeds; do
			n=$tc-$prog-$seed
			chaos=()
			[ "$seed" != plain ] && chaos=(--chaos --seed "$seed")
			# shellcheck disable=SC2086 # ARGS splits on white space
			rc=$(run_capture "$work/$n-rec" "$GRR" record "${chaos[@]}" -o "$work/$n.grr" -- "$bin" $args)
			if [ "$rc" != 0 ]; then
				fails+="$seed: record: $(describe_rc "$rc")$(stderr_hint "$work/$n-rec.err"); "
			elif ! why=$(replay_same "$n" "$work/$n.grr" "$work/$n-rec"); then
				fails+="$seed: $why; "
			fi
		done
		if [ -n "$fails" ]; then
			e2e_fail "$c" "$fails"
		else
			e2e_pass "$c"
		fi
	done

	c=$T/$tc/rseq
	tr=$work/$tc-cgocall-plain.grr
	if e2e_want "$c" && [ -f "$tr" ]; then
		"$GRR" dump "$tr" >"$work/$tc.dump" 2>&1
		n_rseq=$(grep -c 'syscall_exit rseq' "$work/$tc.dump")
		n_refused=$(grep -c 'syscall_exit rseq = -38' "$work/$tc.dump")
		if [ "$n_rseq" = 0 ]; then
			e2e_pass "$c" # (a glibc older than 2.35 does not register rseq)
		elif [ "$n_refused" != "$n_rseq" ]; then
			e2e_fail "$c" "$n_rseq rseq calls, $n_refused refused: $(grep -m1 'syscall_exit rseq' "$work/$tc.dump")"
		else
			e2e_pass "$c"
		fi
	fi

	c=$T/$tc/debugger
	if e2e_want "$c" && [ -f "$tr" ]; then
		dbg "$tc-dbg" "break main.goSquare" "continue" "goroutines" "bt"
		# (the call's session is not --batch-strict: the refusal is an error)
		line=$(grep -n 'sort.Strings(lines)' "$E2E_PROGRAMS_DIR/cgocall/main.go" | cut -d: -f1)
		timeout 300 "$GRR" replay --quiet --ex "break main.go:$line" --ex continue \
			--ex 'print strconv.CanBackquote("abc")' --ex 'print goSquare(7)' "$tr" \
			</dev/null >"$work/$tc-call.out" 2>&1
		out=$work/$tc-dbg.out
		if [ "$(rc_of "$tc-dbg")" != 0 ]; then
			e2e_fail "$c" "$(show "$tc-dbg")"
		elif ! grep -q '~r0: true' "$work/$tc-call.out"; then
			e2e_fail "$c" "calling strconv.CanBackquote failed: $(tail -n 4 "$work/$tc-call.out" | tr '\n' '|')"
		elif ! grep -q 'goSquare is a C function' "$work/$tc-call.out"; then
			e2e_fail "$c" "calling the C function goSquare was not refused: $(tail -n 4 "$work/$tc-call.out" | tr '\n' '|')"
		elif ! grep -q '^\* Goroutine 1 - User: .*cgocall/main.go:[0-9]* main.goSquare' "$out"; then
			e2e_fail "$c" "the current goroutine is not shown in main.goSquare: $(show "$tc-dbg")"
		elif ! grep -q 'in runtime.cgocallback' "$out"; then
			e2e_fail "$c" "the backtrace does not reach runtime.cgocallback: $(show "$tc-dbg")"
		else
			e2e_pass "$c"
		fi
	fi
done

[ "$E2E_NFAIL" = 0 ]
