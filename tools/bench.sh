#!/usr/bin/env bash
# bench.sh - the `make bench` driver: runs the benchmarks and writes their
# figures into docs/benchmarks.md, one "## Section" per benchmark.  A
# section is replaced in place (or appended); the others are left intact.
#
# Environment: BENCH_EVENTS  events written and read by the format benchmark
#                            (default 3000000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
doc=docs/benchmarks.md

# replace_section TITLE BODY_FILE: puts "## TITLE" + BODY_FILE into $doc.
replace_section() {
	local title=$1 body=$2 tmp
	tmp=$(mktemp)
	[ -f "$doc" ] || printf '# Benchmarks\n\nFigures written by `make bench` (tools/bench.sh).\n' >"$doc"
	awk -v title="## $title" -v body="$body" '
		function emit() { print title; print ""; while ((getline l < body) > 0) print l; print ""; done = 1 }
		$0 == title { emit(); skip = 1; next }
		skip && /^## / { skip = 0 }
		!skip { print }
		END { if (!done) { print ""; emit() } }
	' "$doc" | cat -s >"$tmp"
	mv "$tmp" "$doc"
}

machine() {
	local cpu
	cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')
	echo "${cpu:-unknown CPU}, $(nproc) CPUs, $(uname -sr)"
}

# ---- trace format ----
events=${BENCH_EVENTS:-3000000}
make -s build/release/tests/bench_format
echo "bench: trace format, $events events"
body=$(mktemp)
{
	echo "Measured on $(date -u '+%Y-%m-%d %H:%M UTC'), $(machine), with"
	echo "\`make bench\` (that is \`build/release/tests/bench_format $events\`): the library"
	echo "writes a trace of synthetic events (syscalls with small, large and repeated memory"
	echo "writes, signals, clones, rdtsc, anchors; pre-generated, so that only the library is"
	echo "timed), reads it back with all memory data, computes the statistics and seeks."
	echo
	build/release/tests/bench_format "$events" /tmp/grr-bench-format.$$.grr
} >"$body"
cat "$body"
replace_section "Trace format" "$body"
rm -f "$body"

# ---- the other benchmarks: each script prints its own "## TITLE" section ----
# run_section TITLE SCRIPT: runs SCRIPT and puts what it prints under TITLE.
run_section() {
	local title=$1 script=$2 body
	echo "bench: $title"
	body=$(mktemp)
	"$script" | sed '1{/^## /d}' >"$body"
	replace_section "$title" "$body"
	rm -f "$body"
}

run_section "Recorder and replayer" tools/bench-record.sh
run_section "Debugger" tools/bench-debug.sh
run_section "Reverse-continue through gdb" tools/bench-gdbserver.sh
run_section "Core files" tools/bench-core.sh
run_section "Standard-library tests" tools/bench-stdlib.sh
echo "bench: wrote $doc"
