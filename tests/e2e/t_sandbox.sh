#!/usr/bin/env bash
# t_sandbox.sh - replaying a trace that lies, or an executable that was
# swapped, reaches nothing outside the replayed process (the replay
# sandbox, tracee/sandbox.h).  tests/programs/sideeffects creates a file,
# connects to a loopback listener and runs a child that appends to a
# marker file; it is recorded once per toolchain, then replayed from
# traces changed with tests/tamper:
#
#   openat_real, connect_real  the log says the call that creates the file
#                  (or connects) is one replay runs for real (mprotect):
#                  a divergence report
#   execve_logged  the log has the program replace itself (execve = 0):
#                  refused before replay starts, with one line
#   process_clone  a CLONE event after os/exec's vfork clone (the log asks
#                  for a real child): refused before replay starts
#   forged_anchor  an ANCHOR at the `syscall` instruction of the connect
#                  (recorded with the syscall buffer): the anchor search
#                  refuses to step over it (a divergence naming the
#                  syscall instruction); the sandbox would kill it else
#   forged_header  the header names /bin/sh (with its build id) as the
#                  program: refused before the first instruction
#   forged_argv    argv names another file (same length): the replay
#                  creates neither
#   swapped_exe    a packed trace of tests/programs/twofaced built benign,
#                  its embedded executable swapped for the hostile build
#                  (same layout and build id): a divergence report
#
# Every case then checks that no file was created, the listener counted
# no new connection and no child ran.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=sandbox
TAMPER=$E2E_ROOT/$BUILD/tests/tamper
case $BUILD in /*) TAMPER=$BUILD/tests/tamper ;; esac
e2e_setup sandbox || exit 1
lpid=
trap '[ -n "$lpid" ] && kill "$lpid" 2>/dev/null; rm -rf "$work"' EXIT
[ -x "$TAMPER" ] || make -s -C "$E2E_ROOT" "$BUILD/tests/tamper" >/dev/null 2>&1 || true
if [ ! -x "$TAMPER" ]; then
	e2e_fail $T "$TAMPER not built (make $BUILD/tests/tamper)"
	exit 1
fi

# A listener on 127.0.0.1:0 (port in $work/port), counting connections in
# $work/count.
cat >"$work/listener.py" <<'PY'
import os, socket, sys, time
port_file, count_file = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(16)
n = 0
with open(count_file, "w") as f:
    f.write("0\n")
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(port_file + ".tmp", port_file)
deadline = time.time() + 900
while time.time() < deadline:
    s.settimeout(max(0.1, deadline - time.time()))
    try:
        c, _ = s.accept()
    except socket.timeout:
        break
    c.close()
    n += 1
    with open(count_file, "w") as f:
        f.write("%d\n" % n)
PY
python3 "$work/listener.py" "$work/port" "$work/count" &
lpid=$!
for ((i = 0; i < 50; i++)); do
	[ -s "$work/port" ] && break
	sleep 0.1
done
if [ ! -s "$work/port" ]; then
	e2e_fail $T "the python3 listener did not start"
	exit 1
fi
addr=127.0.0.1:$(cat "$work/port")
file=$work/created.txt
marker=$work/marker.txt

# connections: the listener's count, once it has caught up
connections() {
	sleep 0.2
	cat "$work/count"
}

# no_effects CASE WANT_CONNECTIONS: fails CASE (and returns 1) if the
# replay created the file, connected again or ran the child.
no_effects() {
	if [ -e "$file" ]; then
		e2e_fail "$1" "the replay created $file"
	elif [ "$(connections)" != "$2" ]; then
		e2e_fail "$1" "the listener counted $(cat "$work/count") connections, expected $2"
	elif [ -e "$marker" ]; then
		e2e_fail "$1" "the replay ran a child: $marker exists"
	else
		return 0
	fi
	return 1
}

# refused CASE PREFIX: the replay (PREFIX.rc/.out/.err) was refused before
# it ran anything: exit 1, one line on stderr saying so, no output.
refused() {
	local rc
	rc=$(cat "$2.rc")
	if [ "$rc" != 1 ]; then
		e2e_fail "$1" "replay: $(describe_rc "$rc"), expected 1 (refused)$(stderr_hint "$2.err")"
	elif [ "$(wc -l <"$2.err")" != 1 ] || ! grep -q '^grr replay: .*refused' "$2.err"; then
		e2e_fail "$1" "expected one line 'grr replay: ... refused ...', got: $(head -c 300 "$2.err")"
	elif [ -s "$2.out" ]; then
		e2e_fail "$1" "the refused replay printed output: $(head -c 100 "$2.out")"
	else
		return 0
	fi
	return 1
}

# diverged CASE PREFIX: exit 70 with a divergence report.
diverged() {
	local rc
	rc=$(cat "$2.rc")
	if [ "$rc" != 70 ] || ! grep -q '^grr: replay diverged at event' "$2.err"; then
		e2e_fail "$1" "replay: $(describe_rc "$rc"), expected a divergence (70)$(stderr_hint "$2.err")"
		return 1
	fi
}

# event_of DUMP AWK: the number of the first event the awk condition
# selects in a `grr dump` listing ($4 tid, $5 kind, $6 call).
event_of() {
	awk "$2 { sub(/^#/, \"\", \$1); print \$1; exit }" "$1"
}

for tc in $E2E_TOOLCHAINS; do
	c=$T/$tc
	e2e_want "$c" || continue
	if ! prog=$(build_program "$tc" opt sideeffects); then
		e2e_fail "$c" "build of sideeffects failed: $(tail_of "$E2E_WORK/$tc-opt/sideeffects.log")"
		continue
	fi
	tr=$work/$tc.grr
	before=$(connections)
	# (without the syscall buffer, so that the openat creating the file
	# is a syscall event the cases below can mark or anchor on: buffered,
	# replay never makes it at all)
	rc=$(run_capture "$work/$tc-rec" env GRR_NO_SYSBUF=1 "$GRR" record -o "$tr" -- "$prog" "$file" "$addr" "$marker")
	if [ "$rc" != 0 ] || [ ! -f "$file" ] || [ ! -f "$marker" ] ||
		[ "$(connections)" != $((before + 1)) ]; then
		e2e_fail "$c/record" "record: $(describe_rc "$rc"), file/marker/connection missing$(stderr_hint "$work/$tc-rec.err")"
		continue
	fi
	e2e_pass "$c/record"
	rm -f "$file" "$marker"
	n=$(connections)
	"$GRR" dump "$tr" >"$work/$tc.dump" 2>&1
	create=$(event_of "$work/$tc.dump" '$5 == "syscall_enter" && $6 ~ /^openat\(/ && $0 ~ /0x80241/')
	connect=$(event_of "$work/$tc.dump" '$5 == "syscall_enter" && $6 ~ /^connect\(/')
	vfork=$(event_of "$work/$tc.dump" '$5 == "syscall_enter" && $6 ~ /^(clone|clone3|vfork)\(/ && $6 !~ /^clone\(0x[0-9a-f]*f00,/')
	if [ -z "$create" ] || [ -z "$connect" ] || [ -z "$vfork" ]; then
		e2e_fail "$c" "grr dump shows no openat creating the file, connect or child clone ($create, $connect, $vfork)"
		continue
	fi

	# the log says a call with effects outside is one replay runs for real
	for what in openat:$create connect:$connect; do
		k=$c/${what%%:*}_real
		if ! "$TAMPER" "$tr" "$work/t.grr" --event "${what#*:}" --nr 10 2>"$work/tamper.err"; then
			e2e_fail "$k" "tamper: $(cat "$work/tamper.err")"
			continue
		fi
		run_capture "$work/r" "$GRR" replay --autopilot -q "$work/t.grr" >/dev/null
		diverged "$k" "$work/r" && no_effects "$k" "$n" && e2e_pass "$k"
	done

	# the log has the program replace itself
	k=$c/execve_logged
	if "$TAMPER" "$tr" "$work/t.grr" --event "$create" --nr 59 --ret 0 2>"$work/tamper.err"; then
		run_capture "$work/r" "$GRR" replay --autopilot "$work/t.grr" >/dev/null
		refused "$k" "$work/r" && no_effects "$k" "$n" && e2e_pass "$k"
	else
		e2e_fail "$k" "tamper: $(cat "$work/tamper.err")"
	fi

	# the log asks for a child process
	k=$c/process_clone
	if "$TAMPER" "$tr" "$work/t.grr" --event "$vfork" --clone-after 999999 2>"$work/tamper.err"; then
		run_capture "$work/r" "$GRR" replay --autopilot "$work/t.grr" >/dev/null
		refused "$k" "$work/r" && no_effects "$k" "$n" && e2e_pass "$k"
	else
		e2e_fail "$k" "tamper: $(cat "$work/tamper.err")"
	fi

	# an anchor at the syscall instruction of the connect, in a recording
	# with the syscall buffer (the default: the call is made by the
	# buffer's traced instruction; its pc, after the entry: --goto prints
	# the instruction's end); the anchor search does not step over it
	# (which would make the call for real, and the sandbox would kill the
	# process): it reports a divergence
	k=$c/forged_anchor
	tr2=$work/$tc-sb.grr
	rm -f "$file" "$marker"
	rc=$(run_capture "$work/$tc-sb-rec" "$GRR" record -o "$tr2" -- "$prog" "$file" "$addr" "$marker")
	rm -f "$file" "$marker"
	n=$(connections)
	"$GRR" dump "$tr2" >"$work/$tc-sb.dump" 2>&1
	conn2=$(event_of "$work/$tc-sb.dump" '$5 == "syscall_enter" && $6 ~ /^connect\(/')
	pc=""
	[ -n "$conn2" ] &&
		pc=$("$GRR" replay --autopilot -q --goto $((conn2 + 1)) "$tr2" 2>/dev/null | sed -n 's/.* pc \(0x[0-9a-f]*\)$/\1/p')
	if [ "$rc" != 0 ]; then
		e2e_fail "$k" "record with the syscall buffer: $(describe_rc "$rc")$(stderr_hint "$work/$tc-sb-rec.err")"
	elif [ -z "$pc" ]; then
		e2e_fail "$k" "no connect event or no pc for it from --goto ('$conn2')"
	elif ! "$TAMPER" "$tr2" "$work/t.grr" --event "$conn2" --anchor-pc $((pc - 2)) 2>"$work/tamper.err"; then
		e2e_fail "$k" "tamper: $(cat "$work/tamper.err")"
	else
		run_capture "$work/r" "$GRR" replay --autopilot -q "$work/t.grr" >/dev/null
		if diverged "$k" "$work/r" && no_effects "$k" "$n"; then
			if grep -q 'a syscall instruction at 0x[0-9a-f]* before reaching the anchor' "$work/r.err"; then
				e2e_pass "$k"
			else
				e2e_fail "$k" "the report does not name the syscall instruction: $(grep -m1 actual: "$work/r.err")"
			fi
		fi
	fi

	# a header naming another program
	k=$c/forged_header
	shid=$(readelf -n /bin/sh 2>/dev/null | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p' | head -n 1)
	if [ -z "$shid" ]; then
		e2e_skip "$k" "readelf shows no build id for /bin/sh"
	elif "$TAMPER" "$tr" "$work/t.grr" --program /bin/sh --build-id "$shid" 2>"$work/tamper.err"; then
		run_capture "$work/r" "$GRR" replay --autopilot "$work/t.grr" >/dev/null
		rc=$(cat "$work/r.rc")
		if [ "$rc" != 1 ] || [ "$(wc -l <"$work/r.err")" != 1 ]; then
			e2e_fail "$k" "replay: $(describe_rc "$rc"), expected one line and exit 1$(stderr_hint "$work/r.err")"
		elif no_effects "$k" "$n"; then
			e2e_pass "$k"
		fi
	else
		e2e_fail "$k" "tamper: $(cat "$work/tamper.err")"
	fi

	# argv naming another file of the same length
	k=$c/forged_argv
	other=$work/elsewhere.t
	if "$TAMPER" "$tr" "$work/t.grr" --argv "1:$other" 2>"$work/tamper.err"; then
		run_capture "$work/r" "$GRR" replay --autopilot -q "$work/t.grr" >/dev/null
		rc=$(cat "$work/r.rc")
		if [ "$rc" != 0 ] && [ "$rc" != 70 ]; then
			e2e_fail "$k" "replay: $(describe_rc "$rc")$(stderr_hint "$work/r.err")"
		elif [ -e "$other" ]; then
			e2e_fail "$k" "the replay created $other"
		elif no_effects "$k" "$n"; then
			e2e_pass "$k"
		fi
	else
		e2e_fail "$k" "tamper: $(cat "$work/tamper.err")"
	fi
done

# twofaced: the packed trace of the benign build, replayed with the
# hostile build swapped in
for tc in $E2E_TOOLCHAINS; do
	k=$T/$tc/swapped_exe
	e2e_want "$k" || continue
	go=$(go_for "$tc") || { e2e_fail "$k" "no toolchain $tc"; continue; }
	ok=1
	for m in benign hostile; do
		val=$m
		[ $m = benign ] && val='benign!'
		if ! (cd "$E2E_PROGRAMS_DIR" && go_env "$go" build -o "$work/tf-$m" \
			-ldflags "-buildid=grr-twofaced -X main.mode=$val" ./twofaced) >"$work/tf.log" 2>&1; then
			e2e_fail "$k" "build of twofaced ($m): $(tail_of "$work/tf.log")"
			ok=
			break
		fi
	done
	[ -n "$ok" ] || continue
	cp "$work/tf-benign" "$work/tf"
	n=$(connections)
	rc=$(run_capture "$work/tf-rec" env GRR_NO_SYSBUF=1 "$GRR" record -o "$work/tf.grr" -- "$work/tf" "$file" "$addr" "$marker")
	if [ "$rc" != 0 ] || ! "$GRR" pack -q "$work/tf.grr" 2>"$work/tf-pack.err"; then
		e2e_fail "$k" "record or pack: $(describe_rc "$rc")$(stderr_hint "$work/tf-rec.err")$(stderr_hint "$work/tf-pack.err")"
		continue
	fi
	rm -f "$work/tf"   # (replay uses the embedded executable)
	if ! "$TAMPER" "$work/tf.grr" "$work/t.grr" --embed "exe=$work/tf-hostile" 2>"$work/tamper.err"; then
		e2e_fail "$k" "tamper: $(cat "$work/tamper.err")"
		continue
	fi
	run_capture "$work/r" "$GRR" replay --autopilot -q "$work/t.grr" >/dev/null
	diverged "$k" "$work/r" && no_effects "$k" "$n" && e2e_pass "$k"
done

[ "$E2E_NFAIL" = 0 ]
