#!/usr/bin/env bash
# bench-core.sh - the core file part of `make bench` (called by
# tools/bench.sh).  Records tests/programs/heappeak (a 100 MB heap, every
# byte written, then main.peak), stops a debugger session at main.peak
# and times `dump FILE` there, BENCH_REPS times in the same session (the
# session is driven through a pipe; each dump is timed from its command
# to its "Core file" line).  The target: under a second.  Prints a
# Markdown section "## Core files" on stdout; progress goes to stderr.
# Always exits 0.
#
# Environment: BENCH_REPS (default 5), BENCH_TIMEOUT (seconds, default
#              120), BENCH_CORE_MB (the heap, default 100), BENCH_CORE_DIR
#              (where the core goes, default build/bench-core)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
REPS=${BENCH_REPS:-5}
TIMEOUT=${BENCH_TIMEOUT:-120}
MB=${BENCH_CORE_MB:-100}
GO=/usr/local/go/bin/go
GRR=$root/bin/grr
work=$root/build/bench-core
outdir=${BENCH_CORE_DIR:-$work}
mkdir -p "$work" "$outdir"
. "$root/tools/bench-lib.sh"
log() { echo "bench-core: $*" >&2; }

make -s bin/grr >"$work/make.log" 2>&1 || log "make failed (see $work/make.log)"
prog=$work/heappeak
if ! (cd tests/programs && GOTOOLCHAIN=local CGO_ENABLED=0 "$GO" build -o "$prog" ./heappeak) \
	>"$work/build.log" 2>&1; then
	echo "## Core files"
	echo
	echo "Could not build tests/programs/heappeak (see $work/build.log)."
	exit 0
fi
trace=$work/heappeak.grr
rm -f "$trace"
log "recording heappeak $MB"
if ! timeout -k 5 "$TIMEOUT" "$GRR" record -o "$trace" -- "$prog" "$MB" >"$work/record.log" 2>&1; then
	echo "## Core files"
	echo
	echo "Recording heappeak failed (see $work/record.log)."
	exit 0
fi

core=$outdir/heappeak.core
# A session on the trace, its stdin and stdout a pipe: a command, then
# the lines until one matches.
coproc SESSION { timeout -k 5 "$TIMEOUT" "$GRR" replay --quiet "$trace" 2>&1; }
# upto REGEX: reads the session's lines until one matches; it in $got
upto() {
	got=""
	while IFS= read -r -t "$TIMEOUT" got <&"${SESSION[0]}"; do
		echo "$got" >>"$work/session.log"
		[[ $got =~ $1 ]] && return 0
	done
	return 1
}
: >"$work/session.log"
runs=""
stop=""
echo "break main.peak" >&"${SESSION[1]}"
echo "continue" >&"${SESSION[1]}"
if upto '^> main\.peak'; then
	stop=$got
	for ((rep = 1; rep <= REPS; rep++)); do
		log "dump $rep/$REPS"
		t0=${EPOCHREALTIME/[.,]/}
		echo "dump $core" >&"${SESSION[1]}"
		if upto '^(Core file|error:)' && [[ $got == "Core file"* ]]; then
			t1=${EPOCHREALTIME/[.,]/}
			runs+="$(((t1 - t0) * 1000))|"
			line=$got
		else
			runs+="failed|"
		fi
	done
fi
echo "quit" >&"${SESSION[1]}" 2>/dev/null
wait "$SESSION_PID" 2>/dev/null
best "$runs"
b=$best
med=$(tr '|' '\n' <<<"$runs" | grep -E '^[0-9]+$' | sort -n |
	awk '{ v[NR] = $1 } END { if (!NR) { print "n/a"; exit }
		printf "%.0f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
size=$(stat -c %s "$core" 2>/dev/null || echo 0)
disk=$(du -k "$core" 2>/dev/null | cut -f1)
verdict=n/a
isnum "$b" && verdict=$([ "$b" -lt 1000000000 ] && echo pass || echo fail)
rm -f "$core"

echo "## Core files"
echo
echo "Measured on $(date -u '+%Y-%m-%d %H:%M UTC') with \`make bench\` (tools/bench-core.sh):"
echo "\`heappeak $MB\` (tests/programs/heappeak: $MB MB of heap, every byte written), a debugger"
echo "session stopped at main.peak, \`dump FILE\` $REPS times there (on $(df -T "$outdir" | awk 'NR == 2 { print $2 }'))."
echo
echo "| measure | value | target |"
echo "|---|---|---|"
echo "| dump, best of $REPS$best_note | $(cell "$b") | < 1 s: $verdict |"
echo "| dump, median | $(cell "$med") | |"
echo "| core file | $(awk -v s="$size" 'BEGIN { printf "%.1f MB", s / 1e6 }') apparent, $(awk -v k="${disk:-0}" 'BEGIN { printf "%.1f MB", k * 1024 / 1e6 }') on disk | |"
echo
echo "Stop: \`${stop:-n/a}\`; dump: \`${line:-n/a}\`."
exit 0
