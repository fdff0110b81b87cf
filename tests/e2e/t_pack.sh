#!/usr/bin/env bash
# t_pack.sh - `grr pack` and the replay of packed traces (Go 1.26, opt):
#   moved          a copy of hello is recorded, packed; the trace is moved
#                  elsewhere and the copy deleted: the replay runs the
#                  embedded executable (from a private directory that is
#                  gone afterwards) to the recorded output and exit status
#   short_path     the same, with a recorded path shorter than the private
#                  directory (the executable runs through a relative path)
#   rebuilt        another program now at the recorded path: the packed
#                  trace replays with its own executable
#   info           grr info says whether a trace is packed
#   pack_errors    pack refuses a missing or rebuilt executable and bad
#                  input; packing twice is harmless
#   cpu_feature    a packed trace that claims a CPU feature this machine
#                  lacks is refused (tests/tamper carries embedded files)
#   portable       a --portable recording claiming such a feature (one Go
#                  chooses only at run time) replays: cpu.all=off did not
#                  let the program use it
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=pack
TAMPER=$E2E_ROOT/$BUILD/tests/tamper
case $BUILD in /*) TAMPER=$BUILD/tests/tamper ;; esac
e2e_setup pack || exit 1
[ -x "$TAMPER" ] || make -s -C "$E2E_ROOT" "$BUILD/tests/tamper" >/dev/null 2>&1 || true

hello=$(build_program go126 opt hello) || { e2e_fail $T "build of hello failed: $(tail_of "$E2E_WORK/go126-opt/hello.log")"; exit 1; }
other=$(build_program go126 opt exitcode) || { e2e_fail $T "build of exitcode failed: $(tail_of "$E2E_WORK/go126-opt/exitcode.log")"; exit 1; }

# The replays extract into $XDG_RUNTIME_DIR: a directory of this test's.
xdg=$work/xdg
mkdir -p "$xdg"
chmod 700 "$xdg"

# record_packed DIR PROG [RECORD OPTIONS...]: copies hello to PROG, records
# it (args a b) to DIR/t.grr with its output in DIR/rec.*, and packs it.
record_packed() {
	local dir=$1 prog=$2 rc
	shift 2
	mkdir -p "$dir" "$(dirname "$prog")"
	cp "$hello" "$prog"
	rc=$(run_capture "$dir/rec" "$GRR" record "$@" -o "$dir/t.grr" -- "$prog" a b)
	[ "$rc" = 0 ] || { echo "record: $(describe_rc "$rc")$(stderr_hint "$dir/rec.err")"; return 1; }
	rc=$(run_capture "$dir/pack" "$GRR" pack "$dir/t.grr")
	[ "$rc" = 0 ] || { echo "pack: $(describe_rc "$rc")$(stderr_hint "$dir/pack.err")"; return 1; }
	grep -q "^$dir/t.grr: packed, embedded the executable" "$dir/pack.out" ||
		{ echo "pack printed: $(head -c 200 "$dir/pack.out")"; return 1; }
}

# replays_as_recorded DIR TRACE: replay of TRACE has DIR/rec's stdout,
# stderr and exit status, and leaves nothing in $xdg.
replays_as_recorded() {
	local dir=$1 tr=$2 rc want
	want=$(cat "$dir/rec.rc")
	rc=$(XDG_RUNTIME_DIR=$xdg run_capture "$dir/rep" "$GRR" replay --autopilot "$tr")
	[ "$rc" = "$want" ] || { echo "replay: $(describe_rc "$rc"), recorded $want$(stderr_hint "$dir/rep.err")"; return 1; }
	same_output "replay stdout" "$dir/rec.out" "$dir/rep.out" || return 1
	same_output "replay stderr" "$dir/rec.err" "$dir/rep.err" || return 1
	[ -z "$(ls -A "$xdg")" ] || { echo "left behind in XDG_RUNTIME_DIR: $(ls -A "$xdg")"; return 1; }
}

# (a) moved trace, deleted executable; the recorded path is longer than
# the private directory's
if e2e_want $T/moved; then
	d=$work/a
	prog=$work/a/some/longer/directory/prog
	if ! why=$(record_packed "$d" "$prog"); then
		e2e_fail $T/moved "$why"
	else
		mkdir -p "$work/elsewhere"
		mv "$d/t.grr" "$work/elsewhere/moved.grr"
		rm -rf "$d/some"
		if why=$(replays_as_recorded "$d" "$work/elsewhere/moved.grr"); then
			e2e_pass $T/moved
		else
			e2e_fail $T/moved "$why"
		fi
	fi
fi

# (b) a recorded path shorter than the private directory
if e2e_want $T/short_path; then
	d=$work/b
	short=$(mktemp -d /tmp/gp.XXXXXX)
	if ! why=$(record_packed "$d" "$short/p"); then
		e2e_fail $T/short_path "$why"
	else
		rm -rf "$short"
		longxdg=$xdg/a-directory-name-long-enough-to-need-a-relative-path
		mkdir -p "$longxdg"
		if ! why=$(xdg=$longxdg replays_as_recorded "$d" "$d/t.grr"); then
			e2e_fail $T/short_path "$why"
		else
			e2e_pass $T/short_path
		fi
		rmdir "$longxdg"
	fi
	rm -rf "$short"
fi

# (c) another program at the recorded path
if e2e_want $T/rebuilt; then
	d=$work/c
	if ! why=$(record_packed "$d" "$d/prog"); then
		e2e_fail $T/rebuilt "$why"
	else
		cp "$other" "$d/prog"
		if why=$(replays_as_recorded "$d" "$d/t.grr"); then
			e2e_pass $T/rebuilt
		else
			e2e_fail $T/rebuilt "$why"
		fi
	fi
fi

# (d) grr info: packed or not
if e2e_want $T/info; then
	d=$work/d
	mkdir -p "$d"
	cp "$hello" "$d/prog"
	"$GRR" record -o "$d/t.grr" -- "$d/prog" >/dev/null 2>&1
	a=$("$GRR" info "$d/t.grr" | grep '^packed:')
	"$GRR" pack -q "$d/t.grr" >"$d/pack.out" 2>&1
	b=$("$GRR" info "$d/t.grr" | grep -E '^(packed|embedded):' | tr '\n' ' ')
	if [ "$a" != "packed:       no" ]; then
		e2e_fail $T/info "unpacked trace: '$a'"
	elif [ -s "$d/pack.out" ]; then
		e2e_fail $T/info "pack -q printed: $(head -c 100 "$d/pack.out")"
	elif [[ $b != "packed:       yes (the executable is embedded) embedded:     exe " ]]; then
		e2e_fail $T/info "packed trace: '$b'"
	else
		e2e_pass $T/info
	fi
fi

# (e) what pack refuses, and packing twice
if e2e_want $T/pack_errors; then
	d=$work/e
	mkdir -p "$d"
	cp "$hello" "$d/prog"
	"$GRR" record -o "$d/t.grr" -- "$d/prog" >/dev/null 2>&1
	cp "$d/t.grr" "$d/t2.grr"
	bad=
	# expect RC STDERR_SUBSTRING ARGS...: one stderr line "grr pack: ..."
	expect() {
		local want=$1 msg=$2 rc n
		shift 2
		rc=$(run_capture "$d/x" "$GRR" pack "$@")
		n=$(wc -l <"$d/x.err")
		if [ "$rc" != "$want" ] || [ "$n" != 1 ] || ! grep -q "^grr pack: .*$msg" "$d/x.err"; then
			bad+="'grr pack $*': $(describe_rc "$rc") (want $want), $n lines: $(head -c 150 "$d/x.err"); "
		fi
	}
	cp "$other" "$d/prog"
	expect 1 "the executable was changed since the recording (build id " "$d/t.grr"
	rm "$d/prog"
	expect 1 "the recorded executable is missing" "$d/t.grr"
	expect 1 "No such file or directory" "$d/nope.grr"
	echo "not a trace" >"$d/junk"
	expect 1 "not a grr trace" "$d/junk"
	expect 2 "no trace given"
	expect 2 "one trace at a time" "$d/t.grr" "$d/t.grr"
	expect 2 "unknown option" --bogus "$d/t.grr"
	cmp -s "$d/t.grr" "$d/t2.grr" || bad+="a refused pack changed the trace; "
	cp "$hello" "$d/prog"
	"$GRR" pack "$d/t.grr" >/dev/null 2>&1 || bad+="pack failed; "
	cp "$d/t.grr" "$d/t3.grr"
	rc=$(run_capture "$d/y" "$GRR" pack "$d/t.grr")
	[ "$rc" = 0 ] && grep -q "^$d/t.grr: already packed$" "$d/y.out" || bad+="second pack: $(describe_rc "$rc"), $(head -c 100 "$d/y.out"); "
	cmp -s "$d/t.grr" "$d/t3.grr" || bad+="the second pack rewrote the trace; "
	ls -A "$d" | grep -q '^\.t.grr.pack-' && bad+="temporary file left: $(ls -A "$d"); "
	if [ -n "$bad" ]; then
		e2e_fail $T/pack_errors "$bad"
	else
		e2e_pass $T/pack_errors
	fi
fi

# A CPU feature this machine lacks that Go only ever chooses at run time
# (WORD:BIT NAME, words of format/trace.h), or "" if it has them all.
missing_runtime_feature() {
	local have c
	have=" $("$GRR" info "$1" | sed -n 's/^cpu features: *//p') "
	for c in "3:1 avx512vbmi" "3:8 gfni" "3:9 vaes" "3:10 vpclmulqdq" "3:11 avx512vnni" \
		"4:4 fsrm" "2:29 sha" "2:19 adx" "2:18 rdseed" "1:25 aes"; do
		if [[ $have != *" ${c#* } "* ]]; then
			echo "$c"
			return
		fi
	done
}

# (f) a packed trace with a forged CPU feature: refused, executable gone
if e2e_want $T/cpu_feature; then
	d=$work/f
	if [ ! -x "$TAMPER" ]; then
		e2e_fail $T/cpu_feature "$TAMPER not built (make $BUILD/tests/tamper)"
	elif ! why=$(record_packed "$d" "$d/prog"); then
		e2e_fail $T/cpu_feature "$why"
	else
		rm -f "$d/prog"
		feat=$(missing_runtime_feature "$d/t.grr")
		if [ -z "$feat" ]; then
			e2e_pass "$T/cpu_feature (skipped: this CPU has every candidate feature)"
		elif ! "$TAMPER" "$d/t.grr" "$d/forged.grr" --cpu-feature "${feat% *}" 2>"$d/tamper.err"; then
			e2e_fail $T/cpu_feature "tamper failed: $(cat "$d/tamper.err")"
		elif ! "$GRR" info "$d/forged.grr" | grep -q '^packed: *yes'; then
			e2e_fail $T/cpu_feature "the forged copy is not packed"
		else
			rc=$(XDG_RUNTIME_DIR=$xdg run_capture "$d/rep" "$GRR" replay --autopilot "$d/forged.grr")
			err=$(cat "$d/rep.err")
			if [ "$rc" != 1 ] || [ "$(wc -l <"$d/rep.err")" != 1 ] ||
				[[ $err != "grr replay: this CPU lacks features the recording used: "*"${feat#* }"* ]]; then
				e2e_fail $T/cpu_feature "forged ${feat#* }: $(describe_rc "$rc"), stderr: $(head -c 300 "$d/rep.err")"
			elif [ -s "$d/rep.out" ]; then
				e2e_fail $T/cpu_feature "refused, but printed program output"
			else
				e2e_pass $T/cpu_feature
			fi
		fi
	fi
fi

# (g) --portable: the same forgery is no reason to refuse
if e2e_want $T/portable; then
	d=$work/g
	if [ ! -x "$TAMPER" ]; then
		e2e_fail $T/portable "$TAMPER not built (make $BUILD/tests/tamper)"
	elif ! why=$(record_packed "$d" "$d/prog" --portable); then
		e2e_fail $T/portable "$why"
	else
		rm -f "$d/prog"
		feat=$(missing_runtime_feature "$d/t.grr")
		if [ -z "$feat" ]; then
			e2e_pass "$T/portable (skipped: this CPU has every candidate feature)"
		elif ! "$TAMPER" "$d/t.grr" "$d/forged.grr" --cpu-feature "${feat% *}" 2>"$d/tamper.err"; then
			e2e_fail $T/portable "tamper failed: $(cat "$d/tamper.err")"
		elif why=$(replays_as_recorded "$d" "$d/forged.grr"); then
			e2e_pass $T/portable
		else
			e2e_fail $T/portable "forged ${feat#* }: $why"
		fi
	fi
fi

[ "$E2E_NFAIL" = 0 ]
