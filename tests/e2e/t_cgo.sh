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
#   cgo/TC/file_refs the shared libraries' mappings are referred to, not
#                   stored (libc from a copy, through LD_LIBRARY_PATH):
#                   `grr info` names the file; once the file changes,
#                   replay refuses the trace naming it, while the trace
#                   packed before still replays the same; GRR_NO_FILE_REFS=1
#                   stores them (first toolchain only)
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

# file_refs TC BIN: the cgo/TC/file_refs case (see the top).
file_refs() {
	local tc=$1 bin=$2 n=$1-refs libc lib rc out
	libc=$(ldd "$bin" | awk '$1 == "libc.so.6" { print $3 }')
	[ -f "$libc" ] || { echo "ldd names no libc.so.6 for $bin"; return 1; }
	mkdir -p "$work/$n-libs" && cp "$libc" "$work/$n-libs/" || { echo "cannot copy $libc"; return 1; }
	lib=$work/$n-libs/libc.so.6
	rc=$(LD_LIBRARY_PATH=$work/$n-libs run_capture "$work/$n-rec" "$GRR" record -o "$work/$n.grr" -- "$bin")
	[ "$rc" = 0 ] || { echo "record: $(describe_rc "$rc")$(stderr_hint "$work/$n-rec.err")"; return 1; }
	out=$("$GRR" info "$work/$n.grr" 2>&1)
	grep -q "^file refs: .* read from .*$lib" <<<"$out" ||
		{ echo "grr info names no reference to $lib: $(grep -m1 '^file refs' <<<"$out")"; return 1; }
	"$GRR" pack -q -o "$work/$n-packed.grr" "$work/$n.grr" 2>"$work/$n-pack.err" ||
		{ echo "pack failed: $(head -n 1 "$work/$n-pack.err")"; return 1; }
	"$GRR" info "$work/$n-packed.grr" 2>&1 | grep -q '^file refs' && { echo "the packed trace still refers to files"; return 1; }
	# the library changes where the first mapping holds it
	printf 'changed!changed!' | dd of="$lib" bs=1 seek=4096 conv=notrunc status=none
	rc=$(run_capture "$work/$n-rep" "$GRR" replay --autopilot "$work/$n.grr")
	[ "$rc" != 0 ] || { echo "replay with the changed library exited 0"; return 1; }
	grep -q "libc.so.6 is not the file the recording mapped.*grr pack" "$work/$n-rep.err" ||
		{ echo "replay with the changed library did not say so: $(head -c 300 "$work/$n-rep.err")"; return 1; }
	[ "$(grep -c . "$work/$n-rep.err")" = 1 ] || { echo "more than one line of error: $(head -c 300 "$work/$n-rep.err")"; return 1; }
	replay_same "$n-packed" "$work/$n-packed.grr" "$work/$n-rec" || return 1
	rc=$(GRR_NO_FILE_REFS=1 run_capture "$work/$n-rec2" "$GRR" record -o "$work/$n-stored.grr" -- "$bin")
	[ "$rc" = 0 ] || { echo "record with GRR_NO_FILE_REFS=1: $(describe_rc "$rc")"; return 1; }
	"$GRR" info "$work/$n-stored.grr" 2>&1 | grep -q '^file refs' && { echo "GRR_NO_FILE_REFS=1 still referred to files"; return 1; }
	return 0
}

tc=${E2E_TOOLCHAINS%% *}
c=$T/$tc/file_refs
if e2e_want "$c"; then
	if ! bin=$(build_program "$tc" cgo cgocall); then
		e2e_fail "$c" "build failed"
	elif why=$(file_refs "$tc" "$bin"); then
		e2e_pass "$c"
	else
		e2e_fail "$c" "$why"
	fi
fi

[ "$E2E_NFAIL" = 0 ]
