#!/usr/bin/env bash
# t_no_side_effects.sh - replay does not redo the program's effects on the
# world.  tests/programs/sideeffects creates a file, connects to a loopback
# TCP listener and runs a child that appends to a marker file.  Recording
# does all three; after deleting the file and the marker, the replay must
# print the same stdout and exit 0 without re-creating the file, connecting
# again, or running the child.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=no_side_effects
work=$E2E_WORK/no_side_effects
rm -rf "$work"
mkdir -p "$work"
lpid=
cleanup() {
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null && wait "$lpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

if ! grr_available; then
	e2e_fail $T "grr binary $GRR not found (run make)"
	exit 1
fi
prog=$(build_program go126 opt sideeffects) || { e2e_fail $T "build of sideeffects failed: $(tail_of "$E2E_WORK/go126-opt/sideeffects.log")"; exit 1; }

# A listener on 127.0.0.1:0: writes its port to PORT, the number of accepted
# connections to COUNT (after each one), and stops after 30 s.
cat >"$work/listener.py" <<'PY'
import socket, sys, time
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
import os
os.rename(port_file + ".tmp", port_file)
deadline = time.time() + 30
while time.time() < deadline:
    s.settimeout(max(0.1, deadline - time.time()))
    try:
        c, _ = s.accept()
    except socket.timeout:
        break
    c.settimeout(2)
    try:
        c.recv(4096)
    except OSError:
        pass
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
tr=$work/t.grr

rc=$(run_capture "$work/rec" "$GRR" record -o "$tr" -- "$prog" "$file" "$addr" "$marker")
# let the listener record the connection (it may lag on a loaded machine)
for ((i = 0; i < 50; i++)); do
	[ "$(cat "$work/count")" = 1 ] && break
	sleep 0.1
done
if [ "$rc" != 0 ]; then
	e2e_fail $T/record "record: $(describe_rc "$rc")$(stderr_hint "$work/rec.err")"
	exit 1
elif [ ! -f "$file" ]; then
	e2e_fail $T/record "the recording did not create $file"
	exit 1
elif [ "$(cat "$work/count")" != 1 ]; then
	e2e_fail $T/record "the listener counted $(cat "$work/count") connections during recording, expected 1"
	exit 1
elif [ "$(cat "$marker" 2>/dev/null)" != child ]; then
	e2e_fail $T/record "the marker file after recording is '$(head -c 100 "$marker" 2>/dev/null)', expected one line 'child'"
	exit 1
fi
e2e_pass $T/record

rm -f "$file" "$marker"
rc=$(run_capture "$work/rep" "$GRR" replay --autopilot "$tr")
sleep 0.2
if [ "$rc" != 0 ]; then
	e2e_fail $T/replay "replay: $(describe_rc "$rc")$(stderr_hint "$work/rep.err")"
elif ! why=$(same_output "replay stdout" "$work/rec.out" "$work/rep.out"); then
	e2e_fail $T/replay "$why"
elif [ -e "$file" ]; then
	e2e_fail $T/replay "replay re-created $file"
elif [ "$(cat "$work/count")" != 1 ]; then
	e2e_fail $T/replay "the listener counted $(cat "$work/count") connections after replay, expected still 1"
elif [ -e "$marker" ]; then
	e2e_fail $T/replay "replay ran the child process: $marker exists"
else
	e2e_pass $T/replay
fi

[ "$E2E_NFAIL" = 0 ]
