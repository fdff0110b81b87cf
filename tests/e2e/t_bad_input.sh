#!/usr/bin/env bash
# t_bad_input.sh - grr dump / grr info on damaged and wrong inputs: they must
# fail cleanly (exit 1..127, never killed by a signal) with exactly one line
# on stderr naming the file.  Inputs: empty file, text, random bytes, a
# missing file, a directory and a FIFO (unreadable as traces, even for root),
# every truncation of a small valid trace, and a trace from a newer format.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SYNTH=$E2E_ROOT/$BUILD/tests/synth
case $BUILD in /*) SYNTH=$BUILD/tests/synth ;; esac
work=$E2E_WORK/bad_input
rm -rf "$work"
mkdir -p "$work"

if ! grr_available; then
	e2e_fail bad_input "grr binary $GRR not found (run make)"
	exit 1
fi
if [ ! -x "$SYNTH" ]; then
	make -s -C "$E2E_ROOT" "$BUILD/tests/synth" >/dev/null || true
fi
if [ ! -x "$SYNTH" ]; then
	e2e_fail bad_input "synthetic trace generator $SYNTH not found (make $BUILD/tests/synth)"
	exit 1
fi

# check_fail CMD FILE [MUST_CONTAIN]: grr CMD FILE exits 1..127 with exactly
# one stderr line mentioning FILE.  Prints the problem, or nothing.
check_fail() {
	local cmd=$1 file=$2 want=${3:-} rc nlines err
	"$GRR" "$cmd" "$file" >"$work/out" 2>"$work/err" </dev/null
	rc=$?
	err=$(cat "$work/err")
	nlines=$(wc -l <"$work/err")
	if [ "$rc" -ge 128 ]; then
		echo "grr $cmd killed by signal $((rc - 128)) on $file"
	elif [ "$rc" = 0 ]; then
		echo "grr $cmd exited 0 on $file"
	elif [ "$nlines" != 1 ]; then
		echo "grr $cmd printed $nlines lines on stderr for $file: $(head -c 300 "$work/err")"
	elif [[ $err != *"$file"* ]]; then
		echo "grr $cmd: stderr does not name $file: $err"
	elif [ -n "$want" ] && [[ $err != *"$want"* ]]; then
		echo "grr $cmd: stderr lacks '$want': $err"
	fi
}

run_case() { # NAME FILE [MUST_CONTAIN]
	local name=$1 file=$2 want=${3:-} cmd problem
	for cmd in dump info; do
		e2e_want "bad_input/$cmd/$name" || continue
		problem=$(check_fail "$cmd" "$file" "$want")
		if [ -z "$problem" ]; then
			e2e_pass "bad_input/$cmd/$name"
		else
			e2e_fail "bad_input/$cmd/$name" "$problem"
		fi
	done
}

: >"$work/empty.grr"
printf 'hello\nthis is a text file, not a trace\n' >"$work/text.grr"
head -c 4096 /dev/urandom >"$work/random.grr"
{ printf 'GRRTRACE\001\000\000\000\000\000\000\000'; head -c 4096 /dev/urandom; } >"$work/random-magic.grr"
mkdir -p "$work/dir.grr"
mkfifo "$work/fifo.grr"

run_case empty "$work/empty.grr" "empty"
run_case text "$work/text.grr" "bad magic"
run_case random "$work/random.grr"
run_case random_after_magic "$work/random-magic.grr"
run_case missing "$work/missing.grr" "No such file"
run_case directory "$work/dir.grr" "directory"
run_case fifo "$work/fifo.grr" "not a regular file"

# A small valid trace: dump and info succeed.
trace=$work/small.grr
"$SYNTH" -n 30 --flush-every 6 --small -s 5 "$trace"
if e2e_want bad_input/valid; then
	if ! "$GRR" dump "$trace" >"$work/out" 2>"$work/err"; then
		e2e_fail bad_input/valid "grr dump failed on a valid trace: $(head -c 300 "$work/err")"
	elif [ "$(wc -l <"$work/out")" != 30 ] || [ -s "$work/err" ]; then
		e2e_fail bad_input/valid "grr dump printed $(wc -l <"$work/out") lines (30 expected) or wrote to stderr"
	elif ! "$GRR" dump --json "$trace" >"$work/out" 2>"$work/err" || [ "$(wc -l <"$work/out")" != 30 ]; then
		e2e_fail bad_input/valid "grr dump --json failed on a valid trace"
	elif ! "$GRR" info "$trace" >"$work/out" 2>"$work/err" || ! grep -q 'complete: *yes' "$work/out"; then
		e2e_fail bad_input/valid "grr info failed or did not say complete: $(head -c 300 "$work/err")"
	else
		e2e_pass bad_input/valid
	fi
fi

# A newer major version is refused, naming both versions.
size=$(stat -c %s "$trace")
cp "$trace" "$work/newer.grr"
printf '\002' | dd of="$work/newer.grr" bs=1 seek=8 conv=notrunc status=none
run_case newer_version "$work/newer.grr" "unsupported trace format version 2."

# Every truncation: dump fails (after printing the readable events); info
# fails, or succeeds saying the trace was cut short.
if e2e_want bad_input/truncations; then
	cut=$work/cut.grr
	problems=0
	first=
	for ((len = 0; len < size; len++)); do
		head -c "$len" "$trace" >"$cut"
		p=$(check_fail dump "$cut")
		if [ -z "$p" ]; then
			"$GRR" info "$cut" >"$work/out" 2>"$work/err" </dev/null
			rc=$?
			if [ "$rc" = 0 ]; then
				grep -q 'cut short' "$work/out" || p="grr info exited 0 on a $len-byte prefix without saying 'cut short'"
				[ -s "$work/err" ] && p="grr info exited 0 but wrote to stderr on a $len-byte prefix"
			else
				p=$(check_fail info "$cut")
			fi
		fi
		if [ -n "$p" ]; then
			problems=$((problems + 1))
			[ -z "$first" ] && first="at $len bytes: $p"
		fi
	done
	if [ "$problems" = 0 ]; then
		e2e_pass bad_input/truncations
	else
		e2e_fail bad_input/truncations "$problems of $size truncations misbehaved; first $first"
	fi
fi

rm -rf "$work"
[ "$E2E_NFAIL" = 0 ]
