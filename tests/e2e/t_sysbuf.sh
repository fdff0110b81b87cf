#!/usr/bin/env bash
# t_sysbuf.sh - the syscall buffer: non-blocking syscalls made through
# Syscall6 cost no ptrace stop (tracee/sysbuf.h, docs/recorder.md).
#
# tests/programs/httpecho runs an HTTP server and client over loopback.
# For each toolchain and build mode:
#   in_process  `grr record -v` reports at least two buffered calls per
#               request, and the replay reproduces the output;
#   chaos       chaos recordings (anchors and switches among buffered calls)
#               replay to the same output;
#   futex_wakes the recording uses the buffer's third code (grr info) and
#               traces fewer FUTEX_WAKE calls than one made with the second
#               code (GRR_SYSBUF_CODE=2), which makes none in-process;
#   second_code that recording, as grr recorded before format 1.8, still
#               replays to the same output (with the second code);
#   fallback    with GRR_NO_SYSBUF=1 no call is buffered (-v says why), the
#               trace holds more syscalls than with the buffer, and it
#               replays too;
#   unprivileged (go126-opt, when run as root with a `nobody` user) the same
#               as nobody, for whom the filter needs no_new_privs first;
#   mismatch    a trace whose first buffered read is made to record another
#               length (tests/tamper --poke) fails to replay with exit 70 and
#               a report naming both calls.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=sysbuf
e2e_setup sysbuf || exit 1
REQUESTS=300
RING=1843200   # GRR_SB_RING (0x1c2000)
TAMPER=$E2E_ROOT/$BUILD/tests/tamper
case $BUILD in /*) TAMPER=$BUILD/tests/tamper ;; esac
[ -x "$TAMPER" ] || make -s -C "$E2E_ROOT" "$BUILD/tests/tamper" >/dev/null 2>&1 || true

# count NAME KIND: the number of KIND events in $work/NAME.grr
count() { event_count "$work/$1.grr" "$2"; }

# traced_wakes NAME: the FUTEX_WAKE calls $work/NAME.grr holds as syscalls
traced_wakes() {
	"$GRR" dump "$work/$1.grr" | grep -c 'syscall_enter futex([^,]*, 129,'
}

# fast_paths NAME: what grr info says of $work/NAME.grr's fast paths
fast_paths() {
	"$GRR" info "$work/$1.grr" 2>&1 | sed -n 's/^fast paths: *//p'
}

# buffered NAME: the syscalls `grr record -v` reported in-process
buffered() {
	sed -n 's/.* \([0-9]*\) syscalls in-process.*/\1/p' "$work/$1-rec.err"
}

# replay_same NAME: replays $work/NAME.grr and compares its stdout with
# the recording's.
replay_same() {
	local rc
	rc=$(run_capture "$work/$1-rep" "$GRR" replay --autopilot "$work/$1.grr")
	if [ "$rc" != 0 ]; then
		echo "replay: $(describe_rc "$rc")$(stderr_hint "$work/$1-rep.err")"
		return 1
	fi
	same_output "replay stdout" "$work/$1-rec.out" "$work/$1-rep.out"
}

# record_replay NAME [RECORD FLAGS...]
record_replay() {
	local name=$1 rc
	shift
	rc=$(run_capture "$work/$name-rec" "$GRR" record -v "$@" -o "$work/$name.grr" -- \
		"$bin" "$REQUESTS")
	if [ "$rc" != 0 ]; then
		echo "record: $(describe_rc "$rc")$(stderr_hint "$work/$name-rec.err")"
		return 1
	fi
	replay_same "$name"
}

# mismatch NAME: tampers with the first buffered read of $work/NAME.grr
# and checks the replay's report.
mismatch() {
	local name=$1 line seq len rc
	line=$("$GRR" dump --json "$work/$name.grr" |
		grep -m 1 "\"kind\":\"buffered\".*\"writes\":\[{\"addr\":$RING,\"len\":[0-9]*,\"head\":\"00000000")
	seq=$(sed -n 's/^{"seq":\([0-9]*\),.*/\1/p' <<<"$line")
	if [ -z "$seq" ]; then
		echo "no buffered read in the trace"
		return 1
	fi
	# the record's length argument, 8 bytes little-endian at offset 24
	len=$(sed -n 's/.*"writes":\[{"addr":[0-9]*,"len":[0-9]*,"head":"\([0-9a-f]*\)".*/\1/p' \
		<<<"$line" | cut -c49-64 |
		sed 's/\(..\)/\1 /g' | awk '{ s = ""; for (i = NF; i >= 1; i--) s = s $i; print s }')
	len=$((16#$len))
	if ! "$TAMPER" "$work/$name.grr" "$work/$name-bad.grr" --event "$seq" \
		--poke "24:$((len + 1))" 2>"$work/$name-tamper.err"; then
		echo "tamper failed: $(head -c 200 "$work/$name-tamper.err")"
		return 1
	fi
	rc=$(run_capture "$work/$name-bad-rep" "$GRR" replay --autopilot "$work/$name-bad.grr")
	if [ "$rc" != 70 ]; then
		echo "replay of the tampered trace: $(describe_rc "$rc"), expected 70"
		return 1
	fi
	if ! grep -q "where the recording made the buffered call read(.*, $((len + 1)))" \
		"$work/$name-bad-rep.err"; then
		echo "the report does not name the recorded call: $(head -c 400 "$work/$name-bad-rep.err")"
		return 1
	fi
	if ! grep -q 'Syscall6' "$work/$name-bad-rep.err"; then
		echo "the report does not show Syscall6: $(head -c 400 "$work/$name-bad-rep.err")"
		return 1
	fi
}

# unprivileged: records and replays $bin as nobody, in a directory of its own.
unprivileged() {
	local d b rc
	d=$(mktemp -d /tmp/grr-sysbuf-XXXXXX)
	chmod 777 "$d"
	cp "$bin" "$d/httpecho" && cp "$GRR" "$d/grr" && chmod 755 "$d/httpecho" "$d/grr"
	rc=0
	su nobody -s /bin/sh -c "cd '$d' && HOME='$d' ./grr record -v -o '$d/t.grr' -- ./httpecho $REQUESTS" \
		>"$d/rec.out" 2>"$d/rec.err" || rc=$?
	if [ "$rc" != 0 ]; then
		echo "record as nobody: exit $rc: $(head -c 300 "$d/rec.err")"
		rm -rf "$d"
		return 1
	fi
	b=$(sed -n 's/.* \([0-9]*\) syscalls in-process.*/\1/p' "$d/rec.err")
	if [ -z "$b" ] || [ "$b" -lt $((2 * REQUESTS)) ]; then
		echo "as nobody, '${b:-no}' buffered syscalls: $(head -c 300 "$d/rec.err")"
		rm -rf "$d"
		return 1
	fi
	rc=0
	su nobody -s /bin/sh -c "cd '$d' && HOME='$d' ./grr replay --autopilot '$d/t.grr'" \
		>"$d/rep.out" 2>"$d/rep.err" || rc=$?
	if [ "$rc" != 0 ] || ! cmp -s "$d/rec.out" "$d/rep.out"; then
		echo "replay as nobody: exit $rc: $(head -c 300 "$d/rep.err")"
		rm -rf "$d"
		return 1
	fi
	rm -rf "$d"
}

for tc in $E2E_TOOLCHAINS; do
	for mode in $E2E_MODES; do
		c=$T/$tc-$mode
		e2e_want "$c" || continue
		if ! bin=$(build_program "$tc" "$mode" httpecho); then
			e2e_fail "$c/in_process" "build failed: $(tail_of "$E2E_WORK/$tc-$mode/httpecho.log")"
			continue
		fi
		n=$tc-$mode

		if why=$(record_replay "$n-ip"); then
			b=$(buffered "$n-ip")
			if [ -z "$b" ] || [ "$b" -lt $((2 * REQUESTS)) ]; then
				e2e_fail "$c/in_process" "record -v reports '${b:-no}' buffered syscalls for $REQUESTS requests: $(tail -n 1 "$work/$n-ip-rec.err")"
			else
				e2e_pass "$c/in_process"
			fi
		else
			e2e_fail "$c/in_process" "$why"
		fi

		chaos_case "$c/chaos" "$n"

		if ! why=$(GRR_SYSBUF_CODE=2 record_replay "$n-v2"); then
			e2e_fail "$c/second_code" "$why"
		elif ! fast_paths "$n-v2" | grep -q 'syscall buffer (second code'; then
			e2e_fail "$c/second_code" "GRR_SYSBUF_CODE=2 did not record with the second code: $(fast_paths "$n-v2")"
		else
			e2e_pass "$c/second_code"
		fi
		w2=$(traced_wakes "$n-v2")
		w3=$(traced_wakes "$n-ip")
		if ! fast_paths "$n-ip" | grep -q 'syscall buffer (third code'; then
			e2e_fail "$c/futex_wakes" "not recorded with the third code: $(fast_paths "$n-ip")"
		elif [ "$w2" = 0 ]; then
			e2e_fail "$c/futex_wakes" "the second code's recording holds no FUTEX_WAKE to compare with"
		elif [ "$w3" -ge "$w2" ]; then
			e2e_fail "$c/futex_wakes" "$w3 traced FUTEX_WAKE calls with the third code, $w2 with the second"
		else
			e2e_pass "$c/futex_wakes"
		fi

		if ! why=$(GRR_NO_SYSBUF=1 record_replay "$n-off"); then
			e2e_fail "$c/fallback" "$why"
		elif ! grep -q 'every syscall stops (GRR_NO_SYSBUF is set)' "$work/$n-off-rec.err"; then
			e2e_fail "$c/fallback" "record -v does not say why: $(head -c 300 "$work/$n-off-rec.err")"
		elif [ "$(buffered "$n-off")" != 0 ]; then
			e2e_fail "$c/fallback" "calls were buffered: $(tail -n 1 "$work/$n-off-rec.err")"
		elif [ "$(count "$n-off" syscall_enter)" -le "$(count "$n-ip" syscall_enter)" ]; then
			e2e_fail "$c/fallback" "no more syscalls recorded than with the buffer: $(count "$n-off" syscall_enter) and $(count "$n-ip" syscall_enter)"
		else
			e2e_pass "$c/fallback"
		fi

		if [ "$n" = go126-opt ] && [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
			if why=$(unprivileged); then
				e2e_pass "$c/unprivileged"
			else
				e2e_fail "$c/unprivileged" "$why"
			fi
		fi

		if why=$(mismatch "$n-ip"); then
			e2e_pass "$c/mismatch"
		else
			e2e_fail "$c/mismatch" "$why"
		fi
	done
done

[ "$E2E_NFAIL" = 0 ]
