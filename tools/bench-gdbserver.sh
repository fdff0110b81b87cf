#!/usr/bin/env bash
# bench-gdbserver.sh - a reverse-continue through the gdb protocol server
# (gdb on `grr replay --dbgport=0`) against the same reverse-continue in
# grr's own command line, on `cpubound 30000000`: break main.main, continue
# to it, continue to the end of the recording, reverse-continue back to
# main.main (the search crosses every checkpoint window of the run).
# Prints a "## Reverse-continue through gdb" section (tools/bench.sh).
#
# Both are timed around the one command: the command line's from sending
# it on stdin to its stop line, gdb's in gdb (its Z packets included).
# Medians of BENCH_GDB_RUNS (default 5), interleaved.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
. tests/e2e/lib.sh
runs=${BENCH_GDB_RUNS:-5}
grr=$root/bin/grr
bin=$(build_program go126 opt cpubound) || { echo "bench-gdbserver: cannot build cpubound" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tr=$dir/cpubound.grr
"$grr" record -o "$tr" -- "$bin" 30000000 >/dev/null || exit 1

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# the command line's reverse-continue, timed from sending it to its stop line
cli_rc() {
	python3 - "$grr" "$tr" <<'PY'
import subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "replay", "--quiet", sys.argv[2]], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
def until(prefix):
    for line in p.stdout:
        if line.startswith(prefix):
            return
p.stdin.write("break main.main\ncontinue\ncontinue\n"); p.stdin.flush()
until("Process exited")
t0 = time.time()
p.stdin.write("reverse-continue\n"); p.stdin.flush()
until("> main.main")
print("%.3f" % (time.time() - t0))
p.stdin.close(); p.wait()
PY
}

gdb_rc() {
	"$grr" replay --quiet --dbgport=0 "$tr" >/dev/null 2>"$dir/srv.err" &
	local srv=$! port=
	for _ in $(seq 100); do
		port=$(sed -n 's/.*extended-remote 127.0.0.1:\([0-9]*\).*/\1/p' "$dir/srv.err")
		[ -n "$port" ] && break
		sleep 0.1
	done
	gdb -nx -batch -l 10000 -ex 'set sysroot /' -ex "target extended-remote 127.0.0.1:$port" \
		-ex 'break main.main' -ex continue -ex continue -ex 'python import time' \
		-ex 'python t0 = time.time()' -ex reverse-continue \
		-ex 'python print("RCTIME %.3f" % (time.time() - t0))' -ex kill "$bin" 2>&1 |
		sed -n 's/^RCTIME //p'
	wait "$srv"
}

cli=()
gdbt=()
for _ in $(seq "$runs"); do
	cli+=("$(cli_rc)")
	gdbt+=("$(gdb_rc)")
done
c=$(printf '%s\n' "${cli[@]}" | median)
g=$(printf '%s\n' "${gdbt[@]}" | median)
ratio=$(echo "scale=2; $g / $c" | bc)
cat <<EOS
## Reverse-continue through gdb

Measured on $(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs
(tools/bench-gdbserver.sh): \`cpubound 30000000\` (Go 1.26), break main.main,
continue, continue to the end of the recording, then reverse-continue back
to main.main.  Medians of $runs runs (seconds).

| reverse-continue | time |
|---|---|
| \`grr replay\` command line | $c |
| gdb on \`grr replay --dbgport=0\` | $g |
| ratio | ${ratio}x (target: at most 1.5x) |

Runs: command line ${cli[*]}; gdb ${gdbt[*]}.
EOS
