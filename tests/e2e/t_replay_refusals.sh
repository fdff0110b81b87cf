#!/usr/bin/env bash
# t_replay_refusals.sh - `grr replay` refuses traces it cannot replay
# faithfully, exiting 1 with exactly one stderr line "grr replay: ...":
#   missing_exe    the recorded executable was deleted
#   build_id       another program was put at the recorded path
#   cpu_feature    the trace claims a CPU feature this machine lacks
#                  (forged with tests/tamper --cpu-feature)
#   newer_format   the trace's major format version byte is patched to 2
#   unknown_flag   the trace has a header flag this grr does not know
#                  (forged with tests/tamper --header-flag)
#   old_sysbuf     the trace was recorded with the syscall buffer's first
#                  code (GRR_HDR_SYSBUF without GRR_HDR_SYSBUF_FS, forged
#                  with tests/tamper --clear-header-flag 5)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=replay_refusals
TAMPER=$E2E_ROOT/$BUILD/tests/tamper
case $BUILD in /*) TAMPER=$BUILD/tests/tamper ;; esac
e2e_setup replay_refusals || exit 1
[ -x "$TAMPER" ] || make -s -C "$E2E_ROOT" "$BUILD/tests/tamper" >/dev/null 2>&1 || true

hello=$(build_program go126 opt hello) || { e2e_fail $T "build of hello failed: $(tail_of "$E2E_WORK/go126-opt/hello.log")"; exit 1; }
other=$(build_program go126 opt exitcode) || { e2e_fail $T "build of exitcode failed: $(tail_of "$E2E_WORK/go126-opt/exitcode.log")"; exit 1; }

# check_refused NAME TRACE MUST_CONTAIN...: replay exits 1, one stderr line
# starting "grr replay: " containing every MUST_CONTAIN, and the program's
# output is not printed.
check_refused() {
	local name=$1 tr=$2 rc err n w
	shift 2
	"$GRR" replay --autopilot "$tr" </dev/null >"$work/out" 2>"$work/err"
	rc=$?
	err=$(cat "$work/err")
	n=$(wc -l <"$work/err")
	if [ "$rc" != 1 ]; then
		e2e_fail "$T/$name" "replay $(describe_rc "$rc"), expected 1; stderr: $(head -c 300 "$work/err")"
		return
	elif [ "$n" != 1 ]; then
		e2e_fail "$T/$name" "$n stderr lines, expected 1: $(head -c 300 "$work/err")"
		return
	elif [[ $err != "grr replay: "* ]]; then
		e2e_fail "$T/$name" "stderr does not start with 'grr replay: ': $err"
		return
	elif [ -s "$work/out" ]; then
		e2e_fail "$T/$name" "refused, but printed program output: $(head -c 100 "$work/out")"
		return
	fi
	for w in "$@"; do
		if [[ $err != *"$w"* ]]; then
			e2e_fail "$T/$name" "stderr lacks '$w': $err"
			return
		fi
	done
	e2e_pass "$T/$name"
}

# record_copy DIR: copies hello to DIR/prog, records it to DIR/t.grr, and
# checks the untouched trace replays (so a refusal is due to the change).
record_copy() {
	local dir=$1 rc
	mkdir -p "$dir"
	cp "$hello" "$dir/prog"
	rc=$(run_capture "$dir/rec" "$GRR" record -o "$dir/t.grr" -- "$dir/prog")
	[ "$rc" = 0 ] || { echo "record: $(describe_rc "$rc")$(stderr_hint "$dir/rec.err")"; return 1; }
	rc=$(run_capture "$dir/rep" "$GRR" replay --autopilot "$dir/t.grr")
	[ "$rc" = 0 ] || { echo "unmodified replay: $(describe_rc "$rc")$(stderr_hint "$dir/rep.err")"; return 1; }
	same_output "unmodified replay stdout" "$dir/rec.out" "$dir/rep.out" || return 1
}

# (a) missing executable
if e2e_want $T/missing_exe; then
	d=$work/a
	if why=$(record_copy "$d"); then
		rm -f "$d/prog"
		check_refused missing_exe "$d/t.grr" "$d/prog" "the recorded executable is missing"
	else
		e2e_fail $T/missing_exe "$why"
	fi
fi

# (b) a different program at the recorded path
if e2e_want $T/build_id; then
	d=$work/b
	if why=$(record_copy "$d"); then
		rm -f "$d/prog"
		cp "$other" "$d/prog"
		check_refused build_id "$d/t.grr" "$d/prog" \
			"the executable differs from the recorded one (build id " ", recorded "
	else
		e2e_fail $T/build_id "$why"
	fi
fi

# (c) a CPU feature this machine lacks
if e2e_want $T/cpu_feature; then
	d=$work/c
	if [ ! -x "$TAMPER" ]; then
		e2e_fail $T/cpu_feature "$TAMPER not built (make $BUILD/tests/tamper)"
	elif why=$(record_copy "$d"); then
		"$GRR" info "$d/t.grr" >"$d/info" 2>&1
		have=" $(sed -n 's/^cpu features: *//p' "$d/info") "
		feat=
		# WORD:BIT NAME, from tracee/cpu.c's table (words: format/trace.h)
		for c in "3:1 avx512vbmi" "3:8 gfni" "3:9 vaes" "3:10 vpclmulqdq" \
			"3:11 avx512vnni" "4:4 fsrm" "2:29 sha" "2:16 avx512f" \
			"2:31 avx512vl" "2:5 avx2" "2:19 adx" "2:18 rdseed"; do
			name=${c#* }
			if [[ $have != *" $name "* ]]; then
				feat=$c
				break
			fi
		done
		if [ "$have" = "  " ]; then
			e2e_fail $T/cpu_feature "grr info printed no 'cpu features:' line"
		elif [ -z "$feat" ]; then
			e2e_pass "$T/cpu_feature (skipped: this CPU has every candidate feature)"
		elif ! "$TAMPER" "$d/t.grr" "$d/forged.grr" --cpu-feature "${feat% *}" 2>"$d/tamper.err"; then
			e2e_fail $T/cpu_feature "tamper failed: $(cat "$d/tamper.err")"
		else
			e2e_log "forged CPU feature ${feat#* } (${feat% *})"
			check_refused cpu_feature "$d/forged.grr" \
				"this CPU lacks features the recording used: " "${feat#* }"
		fi
	else
		e2e_fail $T/cpu_feature "$why"
	fi
fi

# (d) a newer major format version (byte 8 of the file header)
if e2e_want $T/newer_format; then
	d=$work/d
	if why=$(record_copy "$d"); then
		cp "$d/t.grr" "$d/newer.grr"
		printf '\002' | dd of="$d/newer.grr" bs=1 seek=8 conv=notrunc status=none
		check_refused newer_format "$d/newer.grr" "$d/newer.grr" "version 2." "reads up to 1."
	else
		e2e_fail $T/newer_format "$why"
	fi
fi

# (e) a header flag of a newer grr (one that changes how the trace replays)
if e2e_want $T/unknown_flag; then
	d=$work/e
	if [ ! -x "$TAMPER" ]; then
		e2e_fail $T/unknown_flag "$TAMPER not built (make $BUILD/tests/tamper)"
	elif why=$(record_copy "$d"); then
		if ! "$TAMPER" "$d/t.grr" "$d/flag.grr" --header-flag 20 2>"$d/tamper.err"; then
			e2e_fail $T/unknown_flag "tamper failed: $(cat "$d/tamper.err")"
		else
			check_refused unknown_flag "$d/flag.grr" "$d/flag.grr" "recorded by a newer grr" \
				"header flags 0x100000 unknown"
		fi
	else
		e2e_fail $T/unknown_flag "$why"
	fi
fi

# (f) the syscall buffer's first code, which replay no longer has
if e2e_want $T/old_sysbuf; then
	d=$work/f
	if [ ! -x "$TAMPER" ]; then
		e2e_fail $T/old_sysbuf "$TAMPER not built (make $BUILD/tests/tamper)"
	elif why=$(record_copy "$d"); then
		if ! "$GRR" info "$d/t.grr" 2>/dev/null | grep -q '^fast paths:.*syscall buffer (\(second\|third\) code'; then
			e2e_fail $T/old_sysbuf "the recording did not use the syscall buffer: $("$GRR" info "$d/t.grr" 2>&1 | grep '^fast paths')"
		elif ! "$TAMPER" "$d/t.grr" "$d/old.grr" --clear-header-flag 5 2>"$d/tamper.err"; then
			e2e_fail $T/old_sysbuf "tamper failed: $(cat "$d/tamper.err")"
		else
			check_refused old_sysbuf "$d/old.grr" "$d/old.grr" "with the first syscall buffer" \
				"replay it with the grr that recorded it"
		fi
	else
		e2e_fail $T/old_sysbuf "$why"
	fi
fi

[ "$E2E_NFAIL" = 0 ]
