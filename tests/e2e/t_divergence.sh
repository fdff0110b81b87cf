#!/usr/bin/env bash
# t_divergence.sh - a trace whose recorded syscall result is changed (with
# tests/tamper) no longer matches the program: replay must stop with exit 70
# and a report "grr: replay diverged at event N (thread T)", "  expected:",
# "  actual:", "  at pc 0x... in FUNC+0x..", and backtrace lines.  The
# result changed is the openat that creates the first file in
# tests/programs/files (made to fail with EACCES, so the program takes its
# error path).  Also `grr replay --autopilot --goto 50` stops at event 50.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=divergence
TAMPER=$E2E_ROOT/$BUILD/tests/tamper
case $BUILD in /*) TAMPER=$BUILD/tests/tamper ;; esac
e2e_setup divergence || exit 1
[ -x "$TAMPER" ] || make -s -C "$E2E_ROOT" "$BUILD/tests/tamper" >/dev/null 2>&1 || true
if [ ! -x "$TAMPER" ]; then
	e2e_fail $T "$TAMPER not built (make $BUILD/tests/tamper)"
	exit 1
fi
files=$(build_program go126 opt files) || { e2e_fail $T "build of files failed: $(tail_of "$E2E_WORK/go126-opt/files.log")"; exit 1; }

tr=$work/files.grr
# (without the syscall buffer: its openat would be buffered, not a
# SYSCALL_EXIT event to tamper with)
rc=$(run_capture "$work/rec" env GRR_NO_SYSBUF=1 "$GRR" record -o "$tr" -- "$files")
if [ "$rc" != 0 ]; then
	e2e_fail $T "record files: $(describe_rc "$rc")$(stderr_hint "$work/rec.err")"
	exit 1
fi

if e2e_want $T/tampered_openat; then
	# the SYSCALL_EXIT of the first openat(..., O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC)
	"$GRR" dump "$tr" >"$work/dump" 2>&1
	ev=$(awk '
		$5 == "syscall_enter" && $6 ~ /^openat\(/ && $0 ~ /0x80241/ { want[$4] = 1; next }
		$5 == "syscall_exit" && $6 == "openat" && want[$4] { sub(/^#/, "", $1); print $1; exit }
	' "$work/dump")
	if [ -z "$ev" ]; then
		e2e_fail $T/tampered_openat "no openat creating a file found in grr dump"
	elif ! "$TAMPER" "$tr" "$work/bad.grr" --event "$ev" --ret -13 2>"$work/tamper.err"; then
		e2e_fail $T/tampered_openat "tamper failed: $(cat "$work/tamper.err")"
	else
		rc=$(run_capture "$work/rep" "$GRR" replay --autopilot "$work/bad.grr")
		err=$work/rep.err
		l1=$(grep -n -m1 '^grr: replay diverged at event [0-9]* (thread [0-9]*)$' "$err" | cut -d: -f1)
		if [ "$rc" != 70 ]; then
			e2e_fail $T/tampered_openat "replay of a trace with event $ev tampered: $(describe_rc "$rc"), expected 70$(stderr_hint "$err")"
		elif [ -z "$l1" ]; then
			e2e_fail $T/tampered_openat "no 'grr: replay diverged at event N (thread T)' line: $(head -c 300 "$err")"
		elif ! sed -n "$((l1 + 1))p" "$err" | grep -q '^  expected: .'; then
			e2e_fail $T/tampered_openat "line after the headline is not '  expected: ...': $(sed -n "$((l1 + 1))p" "$err")"
		elif ! sed -n "$((l1 + 2))p" "$err" | grep -q '^  actual: .'; then
			e2e_fail $T/tampered_openat "second line is not '  actual: ...': $(sed -n "$((l1 + 2))p" "$err")"
		elif ! sed -n "$((l1 + 3))p" "$err" | grep -Eq '^  at pc 0x[0-9a-f]+ in [A-Za-z_][^ ]*\+0x[0-9a-f]+$'; then
			e2e_fail $T/tampered_openat "third line is not '  at pc 0x... in FUNC+0x..': $(sed -n "$((l1 + 3))p" "$err")"
		elif ! grep -Eq '^ +#0 0x[0-9a-f]+ [^ ]+' "$err" || ! grep -Eq '^ +#1 0x[0-9a-f]+ [^ ]+' "$err"; then
			e2e_fail $T/tampered_openat "no backtrace lines (#0, #1 ...): $(head -c 400 "$err")"
		else
			dev=$(sed -n "${l1}p" "$err" | sed 's/.*event \([0-9]*\) .*/\1/')
			if [ "$dev" -lt "$ev" ]; then
				e2e_fail $T/tampered_openat "diverged at event $dev, before the tampered event $ev"
			else
				e2e_pass $T/tampered_openat
			fi
		fi
	fi
fi

if e2e_want $T/goto; then
	rc=$(run_capture "$work/goto" "$GRR" replay --autopilot --goto 50 "$tr")
	if [ "$rc" != 0 ]; then
		e2e_fail $T/goto "--goto 50: $(describe_rc "$rc")$(stderr_hint "$work/goto.err")"
	elif ! grep -Eq '^event 50 thread [0-9]+ pc 0x[0-9a-f]+$' "$work/goto.out"; then
		e2e_fail $T/goto "--goto 50 printed no 'event 50 thread T pc 0x...' line: $(head -c 300 "$work/goto.out")"
	else
		e2e_pass $T/goto
	fi
fi

[ "$E2E_NFAIL" = 0 ]
