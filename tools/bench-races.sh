#!/usr/bin/env bash
# bench-races.sh - the race benchmark (`make bench-races`): how often a
# concurrency bug shows natively, under `grr flaky --chaos` and under plain
# `grr flaky`, and whether the trace kept of the first failure replays to
# the same failure.  Writes the section "## Races" of docs/benchmarks.md
# (and prints it).
#
# Cases: tests/programs/races (rmw, checkact, counter, order) and the test
# binary of tests/programs/racetest (TestIncr), built with Go 1.26; plus
# every line of RACE_MANIFEST, if set: a TSV of externally built test
# binaries (name, kind, absolute binary path, arguments, per-run timeout
# in seconds), run from the binary's directory.  GoBench's GoKer kernels
# were measured that way (docs/benchmarks.md says how they were built; no
# script that builds them belongs to this repository).
#
# For each case and mode: RUNS runs (BENCH_RACE_RUNS, default 20), each
# under a timeout (a hang is a failure).  native: the binary itself;
# chaos/plain: one `grr flaky [--chaos] --runs N --keep N --timeout T`,
# which goes on after failures; the first failure's trace is replayed
# (`grr replay --autopilot`) and must end with the recorded status and
# print the recorded output.
#
# Environment: BENCH_RACE_RUNS, RACE_MANIFEST, RACE_FILTER (a bash regex on
#              the case names), RACE_OUT (default docs/benchmarks.md).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
RUNS=${BENCH_RACE_RUNS:-20}
GRR=$root/bin/grr
GO=/usr/local/go/bin/go
work=$root/build/bench-races
doc=${RACE_OUT:-docs/benchmarks.md}
FILTER=${RACE_FILTER:-}
mkdir -p "$work/bin" "$work/runs"
log() { echo "bench-races: $*" >&2; }

make -s bin/grr >/dev/null 2>&1 || log "make failed; using the existing bin/grr"
[ -x "$GRR" ] || { log "no bin/grr"; exit 1; }

# ---- the cases ----
build() { # OUT ARGS...: go build/test -c in tests/programs, static
	(cd tests/programs && env CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local GOENV=off \
		GOPROXY=off GOCACHE="$root/build/bench-gocache" GOPATH="$root/build/bench-gopath" \
		GOMODCACHE="$root/build/bench-gopath/pkg/mod" "$GO" "$@") >"$work/build.log" 2>&1
}
manifest=$work/manifest.tsv
: >"$manifest"
if build build -o "$work/bin/races" ./races; then
	for m in rmw checkact counter order; do
		printf 'races-%s\town\t%s\t%s\t20\n' "$m" "$work/bin/races" "$m" >>"$manifest"
	done
else
	log "build of races failed: $(tail -n 3 "$work/build.log")"
fi
if build test -c -o "$work/bin/racetest.test" ./racetest; then
	printf 'racetest-TestIncr\town\t%s\t-test.run ^TestIncr$ -test.count=1\t20\n' \
		"$work/bin/racetest.test" >>"$manifest"
else
	log "build of racetest failed: $(tail -n 3 "$work/build.log")"
fi
[ -n "${RACE_MANIFEST:-}" ] && grep -v '^#' "$RACE_MANIFEST" >>"$manifest"

# ---- one case, one mode ----
# native NAME BIN T ARGS...: sets FAILS FIRST
native() {
	local name=$1 bin=$2 T=$3 i rc
	shift 3
	FAILS=0 FIRST=-
	for ((i = 1; i <= RUNS; i++)); do
		(cd "$(dirname "$bin")" && timeout -k 2 "$T" "$bin" "$@") >/dev/null 2>&1 </dev/null
		rc=$?
		if [ $rc != 0 ]; then
			FAILS=$((FAILS + 1))
			[ "$FIRST" = - ] && FIRST=$i
		fi
	done
}

# status_of "exit status N" | "killed by signal N" | "timed out...": the
# status a replay of that run ends with
status_of() {
	case $1 in
	"exit status "*) echo "${1#exit status }" | cut -d' ' -f1 ;;
	"killed by signal "*) echo $((128 + $(echo "${1#killed by signal }" | cut -d' ' -f1))) ;;
	"timed out"*) echo 137 ;;
	*) echo "?" ;;
	esac
}

# flaky NAME MODE BIN T ARGS...: sets FAILS FIRST REPLAY NOTE
flaky() {
	local name=$1 mode=$2 bin=$3 T=$4 d rc run how trace line
	shift 4
	d=$work/runs/$name-$mode
	rm -rf "$d"
	mkdir -p "$d"
	local flag=()
	[ "$mode" = chaos ] && flag=(--chaos)
	(cd "$(dirname "$bin")" && timeout -k 10 $((RUNS * (T + 15) + 120)) "$GRR" flaky "${flag[@]}" \
		--runs "$RUNS" --keep "$RUNS" --timeout "${T}s" -o "$d/kept" -- "$bin" "$@") \
		>"$d/flaky.out" 2>"$d/flaky.err" </dev/null
	rc=$?
	FAILS=0 FIRST=- REPLAY=- NOTE=""
	how="" trace=""
	while IFS= read -r line; do
		if [[ $line =~ ^run\ ([0-9]+):\ (.*)$ ]]; then
			FAILS=$((FAILS + 1))
			if [ "$FIRST" = - ]; then
				FIRST=${BASH_REMATCH[1]}
				how=${BASH_REMATCH[2]}
			fi
		elif [[ $line =~ ^\ \ trace:\ +([^ ]*) ]] && [ -z "$trace" ]; then
			trace=${BASH_REMATCH[1]}
		fi
	done <"$d/flaky.out"
	if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
		NOTE="grr flaky exit $rc: $(grep -m1 . "$d/flaky.err" | cut -c1-120)"
	fi
	[ -n "$trace" ] || return 0
	local want got
	want=$(status_of "$how")
	timeout -k 5 $((T * 10 + 60)) "$GRR" replay --autopilot "$trace" >"$d/replay.out" 2>&1 </dev/null
	got=$?
	if [ "$got" = "$want" ] &&
		cmp -s <(grep -v '^grr: ' "${trace%.grr}.out" | sort) <(grep -v '^grr: ' "$d/replay.out" | sort); then
		REPLAY=yes
	else
		REPLAY=no
		NOTE+="${NOTE:+; }replay: exit $got, recorded $want"
	fi
	rm -rf "$d/kept"
}

# ---- run ----
results=$work/results.tsv
: >"$results"
while IFS=$'\t' read -r name kind bin args T <&3; do
	[ -n "$name" ] || continue
	if [ -n "$FILTER" ] && ! [[ $name =~ $FILTER ]]; then continue; fi
	read -ra A <<<"$args"
	row="$name	$kind"
	for mode in native chaos plain; do
		log "$name: $mode"
		if [ ! -x "$bin" ]; then
			row+="	-	-	-"
			continue
		fi
		if [ $mode = native ]; then
			native "$name" "$bin" "$T" "${A[@]}"
			row+="	$FAILS	$FIRST"
		else
			flaky "$name" "$mode" "$bin" "$T" "${A[@]}"
			row+="	$FAILS	$FIRST	$REPLAY"
			[ -n "$NOTE" ] && log "$name $mode: $NOTE"
		fi
	done
	printf '%s\n' "$row" >>"$results"
done 3<"$manifest"

# ---- report ----
body=$work/section.md
{
	echo "Measured on $(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'),"
	echo "$(nproc) CPUs, $(uname -sr), with \`make bench-races\` (tools/bench-races.sh${RACE_MANIFEST:+, RACE_MANIFEST=$(basename "$RACE_MANIFEST")}):"
	echo "$RUNS runs per case and mode; a run fails on a non-zero exit or a hang."
	echo "\"first\" is the first failing run; \"replays\" says whether the trace kept of"
	echo "the first failure replays (\`grr replay --autopilot\`) to the recorded status"
	echo "and output."
	echo
	echo "| case | native fails | first | chaos fails | first | replays | plain fails | first | replays |"
	echo "|---|---|---|---|---|---|---|---|---|"
	awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $3, $4, $5, $6, $7, $8, $9, $10 }' "$results"
	echo
	awk -F'\t' -v runs="$RUNS" '
		{ n++; if ($3 > 0) nat++; if ($5 > 0) ch++; if ($8 > 0) pl++
		  if ($3 > 0 && $5 > 0) both++; if ($3 > 0 && !($5 > 0)) missed = missed " " $1
		  if (!($3 > 0) && $5 > 0) extra = extra " " $1
		  if ($7 == "no" || $10 == "no") bad = bad " " $1 }
		END {
			printf "Totals over %d cases: native runs expose %d, chaos captures %d (%d of the native ones), plain %d.\n", n, nat, ch, both, pl
			if (missed != "") printf "Exposed natively, not by chaos:%s.\n", missed
			if (extra != "") printf "Captured by chaos only:%s.\n", extra
			printf "Kept traces that did not replay to the same failure:%s.\n", bad == "" ? " none" : bad
		}' "$results"
} >"$body"
cat "$body"
if [ -f "$doc" ]; then
	tmp=$(mktemp)
	awk -v body="$body" '
		function emit() { print "## Races"; print ""; while ((getline l < body) > 0) print l; print ""; done = 1 }
		$0 == "## Races" { emit(); skip = 1; next }
		skip && /^## / { skip = 0 }
		!skip { print }
		END { if (!done) { print ""; emit() } }
	' "$doc" | cat -s >"$tmp" && mv "$tmp" "$doc"
	log "wrote the Races section of $doc"
fi
