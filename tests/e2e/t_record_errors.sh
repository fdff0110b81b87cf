#!/usr/bin/env bash
# t_record_errors.sh - `grr record` on bad programs and outputs, usage errors,
# a recorder killed with SIGKILL mid-recording, and Ctrl-C (SIGINT to grr).
#
# Bad inputs (missing program, non-executable file, non-ELF script, non-Go
# ELF, unwritable -o path) must exit 1 with exactly one stderr line starting
# "grr record: " that names the program or path.  Usage errors exit 2.
# A SIGKILLed recorder leaves a trace that `grr info` reads (saying it was
# cut short) and that replays to its end (exit 137, stderr says cut short).
# SIGINT to grr: the program dies of SIGINT, grr exits 130 within 10 s, and
# the trace replays with the same status.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=record_errors
work=$E2E_WORK/record_errors
rm -rf "$work"
mkdir -p "$work"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT

if ! grr_available; then
	e2e_fail $T "grr binary $GRR not found (run make)"
	exit 1
fi

# check_bad NAME MENTION ARGS...: grr record ARGS exits 1, one stderr line
# starting "grr record: " and containing MENTION, no trace left behind.
check_bad() {
	local name=$1 mention=$2 rc err n
	shift 2
	e2e_want "$T/$name" || return 0
	rm -f "$work/t.grr"
	"$GRR" record "$@" </dev/null >"$work/out" 2>"$work/err"
	rc=$?
	err=$(cat "$work/err")
	n=$(wc -l <"$work/err")
	if [ "$rc" -ge 128 ]; then
		e2e_fail "$T/$name" "grr record killed by signal $((rc - 128))"
	elif [ "$rc" != 1 ]; then
		e2e_fail "$T/$name" "exit $rc, expected 1; stderr: $(head -c 300 "$work/err")"
	elif [ "$n" != 1 ]; then
		e2e_fail "$T/$name" "$n stderr lines, expected 1: $(head -c 300 "$work/err")"
	elif [[ $err != "grr record: "* ]]; then
		e2e_fail "$T/$name" "stderr does not start with 'grr record: ': $err"
	elif [[ $err != *"$mention"* ]]; then
		e2e_fail "$T/$name" "stderr does not mention $mention: $err"
	else
		e2e_pass "$T/$name"
	fi
}

# check_usage NAME ARGS...: exits 2 with a message on stderr.
check_usage() {
	local name=$1 rc
	shift
	e2e_want "$T/$name" || return 0
	"$GRR" record "$@" </dev/null >"$work/out" 2>"$work/err"
	rc=$?
	if [ "$rc" != 2 ]; then
		e2e_fail "$T/$name" "exit $rc, expected 2 (usage); stderr: $(head -c 300 "$work/err")"
	elif [ ! -s "$work/err" ]; then
		e2e_fail "$T/$name" "exit 2 but nothing on stderr"
	else
		e2e_pass "$T/$name"
	fi
}

printf 'this is not an executable\n' >"$work/notexec"
chmod -x "$work/notexec"
printf '#!/bin/sh\necho hi\n' >"$work/script.sh"
chmod +x "$work/script.sh"

hello=$(build_program go126 opt hello) || hello=
check_bad missing_program "$work/no-such-prog" -o "$work/t.grr" -- "$work/no-such-prog"
check_bad not_executable "$work/notexec" -o "$work/t.grr" -- "$work/notexec"
check_bad not_elf "$work/script.sh" -o "$work/t.grr" -- "$work/script.sh"
check_bad not_go /bin/true -o "$work/t.grr" -- /bin/true
if [ -n "$hello" ]; then
	check_bad unwritable_output /nonexistent-dir/x.grr -o /nonexistent-dir/x.grr -- "$hello"
else
	e2e_fail $T/unwritable_output "build of hello failed: $(tail_of "$E2E_WORK/go126-opt/hello.log")"
fi
check_usage no_program
check_usage no_program_after_dashes --
check_usage unknown_option --bogus-option -- /bin/true

sleeper=$(build_program go126 opt sleeper) || sleeper=

# ---- recorder killed by SIGKILL mid-recording
if e2e_want "$T/sigkill"; then
	if [ -z "$sleeper" ]; then
		e2e_fail $T/sigkill "build of sleeper failed: $(tail_of "$E2E_WORK/go126-opt/sleeper.log")"
	else
		tr=$work/killed.grr
		"$GRR" record -o "$tr" -- "$sleeper" </dev/null >"$work/k.out" 2>"$work/k.err" &
		gp=$!
		pids+=("$gp")
		sleep 1
		kill -9 "$gp" 2>/dev/null
		wait "$gp" 2>/dev/null
		krc=$?
		# the tracee dies with its tracer (PTRACE_O_EXITKILL) or runs on
		# untraced; either way it is not ours to wait for
		"$GRR" info "$tr" >"$work/info.out" 2>"$work/info.err" </dev/null
		irc=$?
		run_capture "$work/rep" "$GRR" replay --autopilot --quiet "$tr" >/dev/null
		rrc=$(cat "$work/rep.rc")
		if [ "$krc" != 137 ]; then
			e2e_fail $T/sigkill "grr record was not killed by SIGKILL (exit $krc; did sleeper finish in 1 s?)"
		elif [ ! -s "$tr" ]; then
			e2e_fail $T/sigkill "no trace left at $tr"
		elif [ "$irc" != 0 ]; then
			e2e_fail $T/sigkill "grr info exit $irc on the cut-short trace$(stderr_hint "$work/info.err")"
		elif ! grep -q 'cut short' "$work/info.out"; then
			e2e_fail $T/sigkill "grr info does not say the trace was cut short: $(grep complete "$work/info.out")"
		elif [ "$rrc" != 137 ]; then
			e2e_fail $T/sigkill "replay of the cut-short trace: $(describe_rc "$rrc"), expected 137$(stderr_hint "$work/rep.err")"
		elif ! grep -q 'cut short' "$work/rep.err"; then
			e2e_fail $T/sigkill "replay stderr does not say the recording was cut short: $(head -c 300 "$work/rep.err")"
		else
			e2e_pass $T/sigkill
		fi
	fi
fi

# ---- Ctrl-C: SIGINT to grr while recording
if e2e_want "$T/sigint"; then
	if [ -z "$sleeper" ]; then
		e2e_fail $T/sigint "build of sleeper failed: $(tail_of "$E2E_WORK/go126-opt/sleeper.log")"
	else
		tr=$work/int.grr
		# A background job of a non-interactive shell starts with SIGINT
		# ignored, and the program would inherit that: restore the default,
		# as a terminal's foreground job has it.
		env --default-signal=INT "$GRR" record -o "$tr" -- "$sleeper" </dev/null \
			>"$work/i.out" 2>"$work/i.err" &
		gp=$!
		pids+=("$gp")
		sleep 0.5
		kill -INT "$gp"
		# wait at most 10 s for grr to exit
		for ((i = 0; i < 100; i++)); do
			kill -0 "$gp" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$gp" 2>/dev/null; then
			kill -9 "$gp" 2>/dev/null
			wait "$gp" 2>/dev/null
			e2e_fail $T/sigint "grr record still running 10 s after SIGINT"
		else
			wait "$gp"
			irc=$?
			run_capture "$work/irep" "$GRR" replay --autopilot "$tr" >/dev/null
			rrc=$(cat "$work/irep.rc")
			if [ "$irc" != 130 ]; then
				e2e_fail $T/sigint "grr record after SIGINT: $(describe_rc "$irc"), expected 130 (program killed by SIGINT); program stderr: $(head -n 2 "$work/i.err")"
			elif grep -q 'SIGTRAP' "$work/i.err"; then
				e2e_fail $T/sigint "the program saw a SIGTRAP: $(head -n 1 "$work/i.err")"
			elif [ ! -s "$tr" ]; then
				e2e_fail $T/sigint "no trace at $tr"
			elif [ "$rrc" != "$irc" ]; then
				e2e_fail $T/sigint "replay: $(describe_rc "$rrc"), recording exited $irc$(stderr_hint "$work/irep.err")"
			else
				e2e_pass $T/sigint
			fi
		fi
	fi
fi

[ "$E2E_NFAIL" = 0 ]
