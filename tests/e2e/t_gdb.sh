#!/usr/bin/env bash
# t_gdb.sh - `grr replay --dbgport=0` with Debian's gdb, on tests/programs/ledger
# built by each toolchain (-N -l): breakpoints and hit counts, print, reverse-
# continue, reverse-step, running to the end of the recording (gdb sees rr's
# synthetic SIGKILL) and back, a watchpoint found backward, the exit after
# the end; threads waiting in grr's syscall buffer page shown at the
# program's syscall, not in ?? (); rr's resume rules that Delve relies on
# (a raw client: a continue onto a breakpoint a step ended on, a
# reverse-continue from a forward watchpoint stop); and the protocol's bad cases: bad packets, a client that
# goes away while the replay runs, a second client.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_setup gdb || exit 1
SRC=$E2E_PROGRAMS_DIR/ledger/main.go

# serve NAME: starts the server on $tr; sets $port and $srv (its pid).
serve() {
	"$GRR" replay --quiet --dbgport=0 "$tr" >"$work/$1.srv.out" 2>"$work/$1.srv.err" &
	srv=$!
	port=
	for _ in $(seq 100); do
		port=$(sed -n 's/.*target extended-remote 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$1.srv.err" | head -n 1)
		[ -n "$port" ] && return 0
		sleep 0.1
	done
	return 1
}

# gdb_session NAME CMD...: gdb in batch mode on the server, each CMD an -ex.
gdb_session() {
	local name=$1 c
	shift
	local -a ex=()
	for c in "$@"; do ex+=(-ex "$c"); done
	serve "$name" || { echo "no launch line" >"$work/$name.out"; return 1; }
	timeout 300 gdb -nx -batch -l 10000 -ex 'set sysroot /' \
		-ex "target extended-remote 127.0.0.1:$port" "${ex[@]}" "$bin" \
		>"$work/$name.out" 2>&1
	timeout 30 tail --pid="$srv" -f /dev/null
	wait "$srv"
	echo $? >"$work/$name.srv.rc"
}

# expect NAME TEXT...: every TEXT is in NAME's gdb output
expect() {
	local name=$1 t
	shift
	for t in "$@"; do
		grep -qF -- "$t" "$work/$name.out" || { echo "no '$t' in gdb's output"; return 1; }
	done
}

for tc in $E2E_TOOLCHAINS; do
	c=gdb/$tc
	e2e_want "$c" || continue
	build_and_record "$c" "$tc" debug ledger || continue
	n=$tc-session
	gdb_session "$n" 'break main.apply' continue continue 'info breakpoints' \
		'print amount' 'print l.posts' reverse-continue 'print amount' reverse-step \
		'info line' 'delete' continue 'watch main.counter' reverse-continue \
		'print main.counter' continue continue continue
	why=$(expect "$n" 'breakpoint already hit 2 times' '$1 = 2' '$2 = 1' '$3 = 1' \
		'main.main () at' 'received signal SIGKILL' 'Hardware watchpoint 2: main.counter' \
		'Old value = -7' 'New value = 5' '$4 = 5' 'exited normally') ||
		{ e2e_fail "$c" "$why: $(tail -n 5 "$work/$n.out" | tr '\n' '|')"; continue; }
	grep -q 'Line 39 of' "$work/$n.out" ||
		{ e2e_fail "$c" "reverse-step did not reach main.main's line 39: $(grep '^Line' "$work/$n.out")"; continue; }
	[ "$(cat "$work/$n.srv.rc")" = 0 ] ||
		{ e2e_fail "$c" "server exited $(cat "$work/$n.srv.rc")$(stderr_hint "$work/$n.srv.err")"; continue; }
	e2e_pass "$c"
done

# ---- threads waiting in grr's syscall buffer page (an idle thread's
# futex wait, made through the page's copy of runtime.futex) show at the
# program's syscall instruction, as they would natively, not at the page's
# address in ?? ().
for tc in $E2E_TOOLCHAINS; do
	c=gdb/$tc-threads
	e2e_want "$c" || continue
	build_and_record "$c" "$tc" debug ledger || continue
	n=$tc-threads
	gdb_session "$n" 'break main.apply' continue 'info threads' 'kill'
	if grep -q 'in ?? ()' "$work/$n.out"; then
		e2e_fail "$c" "a thread shows in ?? (): $(grep 'Thread .* in ?? ()' "$work/$n.out" | head -n 2 | tr '\n' '|')"
	elif ! grep -Eq 'Thread [0-9.]+ +runtime\.(futex|usleep|epollwait)|Syscall6' "$work/$n.out"; then
		e2e_fail "$c" "no thread shown waiting in a syscall: $(grep 'Thread ' "$work/$n.out" | tr '\n' '|')"
	elif ! grep -q 'runtime\.futex ()' "$work/$n.out"; then
		e2e_fail "$c" "no idle thread shown in runtime.futex: $(grep 'Thread ' "$work/$n.out" | tr '\n' '|')"
	else
		e2e_pass "$c"
	fi
done

# ---- rr's resume rules that Delve's next and reverse watchpoints rely on,
# with a raw client (python3): a continue from a breakpoint a step ended on
# stops there at once (as the int3 would trap); a reverse-continue from a
# forward watchpoint stop meets that same write first (stops before it).
c=gdb/resume-rules
if e2e_want "$c"; then
	tc=${E2E_TOOLCHAINS%% *}
	if build_and_record "$c" "$tc" debug ledger; then
		apply=$(nm "$bin" | awk '$3 == "main.apply" { print $1 }')
		counter=$(nm "$bin" | awk '$3 == "main.counter" { print $1 }')
		serve rules || true
		python3 - "$port" "$apply" "$counter" >"$work/rules.out" 2>&1 <<'PY'
import socket, sys
port, apply, counter = int(sys.argv[1]), int(sys.argv[2], 16), int(sys.argv[3], 16)
def pkt(s):
    return b"$" + s + b"#" + b"%02x" % (sum(s) & 0xff)
c = socket.create_connection(("127.0.0.1", port))
buf = b""
def ask(s):
    global buf
    c.sendall(pkt(s.encode()))
    while not (b"#" in buf and len(buf) >= buf.index(b"#") + 3):
        d = c.recv(65536)
        assert d, "server went away after " + s
        buf += d
    r = buf[buf.index(b"$") + 1:buf.index(b"#")].decode()
    buf = buf[buf.index(b"#") + 3:]
    return r
def pc():
    return int.from_bytes(bytes.fromhex(ask("p10")), "little")
def expect(what, got, want):
    print(what, got, "OK" if got == want else "WANTED %s" % want)
c.sendall(b"+")
ask("QStartNoAckMode")
ask("Z0,%x,1" % apply)
expect("first hit", ask("vCont;c").startswith("T05"), True)
expect("at apply", pc(), apply)
ask("z0,%x,1" % apply)
ask("vCont;s")
stepped = pc()
expect("stepped off", stepped != apply, True)
ask("Z0,%x,1" % stepped)
expect("continue onto it", ask("vCont;c").startswith("T05"), True)
expect("not moved", pc(), stepped)
expect("still the first call", int.from_bytes(bytes.fromhex(ask("m%x,8" % counter)), "little"), 0)
ask("z0,%x,1" % stepped)
ask("vCont;s")
ask("Z0,%x,1" % apply)
ask("vCont;c")
expect("second call", pc(), apply)
ask("z0,%x,1" % apply)
ask("Z2,%x,8" % counter)
expect("forward watch", ask("vCont;c"), "T05thread:%s;watch:%x;" % (ask("qC")[2:], counter))
after = pc()
expect("counter after", int.from_bytes(bytes.fromhex(ask("m%x,8" % counter)), "little"), 2)
expect("backward watch", "watch:%x" % counter in ask("bc"), True)
expect("counter before", int.from_bytes(bytes.fromhex(ask("m%x,8" % counter)), "little"), 1)
ask("vCont;c")
expect("the same write again", pc(), after)
c.sendall(pkt(b"k"))
c.close()
PY
		timeout 30 tail --pid="$srv" -f /dev/null || kill "$srv" 2>/dev/null
		wait "$srv"
		if grep -q "WANTED\|Traceback" "$work/rules.out" || ! grep -q "the same write" "$work/rules.out"; then
			e2e_fail "$c" "$(tr '\n' '|' <"$work/rules.out")"
		else
			e2e_pass "$c"
		fi
	fi
fi

# ---- the protocol's bad cases, with a raw client (python3)
c=gdb/bad-clients
if e2e_want "$c"; then
	tc=${E2E_TOOLCHAINS%% *}
	if build_and_record "$c" "$tc" debug ledger; then
		serve bad || true
		python3 - "$port" >"$work/bad.out" 2>&1 <<'PY'
import socket, sys, time
port = int(sys.argv[1])
def pkt(s):
    return b"$" + s + b"#" + b"%02x" % (sum(s) & 0xff)
def recv(c):
    buf = b""
    while not (b"#" in buf and len(buf) >= buf.index(b"#") + 3):
        d = c.recv(65536)
        if not d:
            return None
        buf += d
    return buf[buf.index(b"$") + 1:buf.index(b"#")]
c = socket.create_connection(("127.0.0.1", port))
c.sendall(b"+" + pkt(b"QStartNoAckMode"))
assert recv(c) == b"OK"
# a second client is refused while the first is served
try:
    d = socket.create_connection(("127.0.0.1", port), timeout=2)
    d.settimeout(2)
    print("second client:", d.recv(10))
except OSError as e:
    print("second client refused:", type(e).__name__)
for bad in [b"Z9,zz,1", b"m", b"mzz,10", b"p999", b"qXfer:features:read:nope.xml:0,fff",
            b"Hq1", b"vCont;q", b"X1000,4:abcd", b"G00", b"qNoSuchThing", b"\x01\x02"]:
    c.sendall(pkt(bad))
    print(bad, recv(c))
c.sendall(b"$m0,4#00")            # a wrong checksum is taken in no-ack mode
print("bad checksum", recv(c))
c.sendall(b"garbage without a dollar ")  # noise between packets is skipped
c.sendall(pkt(b"qC"))
print("after noise", recv(c))
c.sendall(pkt(b"vCont;c"))        # a long run, then the client goes away
time.sleep(0.2)
c.close()
print("closed")
PY
		if ! timeout 60 tail --pid="$srv" -f /dev/null; then
			kill "$srv" 2>/dev/null
			e2e_fail "$c" "the server did not end after its client went away"
		elif wait "$srv"; ! grep -q "second client refused" "$work/bad.out"; then
			e2e_fail "$c" "second client: $(grep second "$work/bad.out")"
		elif grep -q "Traceback\|None$" "$work/bad.out"; then
			e2e_fail "$c" "$(tr '\n' '|' <"$work/bad.out")"
		else
			e2e_pass "$c"
		fi
	fi
fi
[ "$E2E_NFAIL" = 0 ]
