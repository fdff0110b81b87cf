#!/usr/bin/env bash
# bench-stdlib.sh - the real-world part of `make bench` (called by
# tools/bench.sh): Go's own standard-library tests, built the way users
# build tests (`go test -c`, default build: a package that imports net is
# linked dynamically against glibc), run with -test.short from the
# package's directory natively, under `grr record` and under `grr replay
# --autopilot`, interleaved, best of BENCH_STD_REPS.  Also the loopback
# HTTP program (tests/programs/httpecho) in its default (dynamic) and
# CGO_ENABLED=0 builds, natively, under `grr record` and `strace -f`.
# Prints a Markdown section "## Standard-library tests" on stdout;
# progress goes to stderr.
#
# Environment: BENCH_STD_REPS (default 3), BENCH_STD_PKGS (default the ten
#              packages below), BENCH_TIMEOUT (seconds per run, default 300),
#              BENCH_STD_TMPDIR (the tests' temporary files, TMPDIR: default
#              $TMPDIR or /tmp; the os tests' time is mostly the kernel's
#              there, and a disk mounted with online discard makes it vary
#              threefold from run to run: /dev/shm measures grr instead)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
REPS=${BENCH_STD_REPS:-3}
TIMEOUT=${BENCH_TIMEOUT:-300}
GO=/usr/local/go/bin/go
GRR=$root/bin/grr
work=$root/build/bench-stdlib
mkdir -p "$work/bin" "$work/traces" "$work/logs"
pkgs=(${BENCH_STD_PKGS:-sync os net net/http encoding/json compress/flate math/big regexp strconv context})
goroot=$("$GO" env GOROOT)
log() { echo "bench-stdlib: $*" >&2; }
. "$root/tools/bench-lib.sh"

# timed_in DIR LOG CMD...: timed, from DIR
timed_in() {
	local dir=$1
	shift
	pushd "$dir" >/dev/null || { result="failed (no $dir)"; return; }
	timed "$@"
	popd >/dev/null || true
}

# ---- build ----
declare -A bin
for p in "${pkgs[@]}"; do
	n=${p//\//_}
	log "building the tests of $p"
	if env GOFLAGS= GOTOOLCHAIN=local "$GO" test -c -o "$work/bin/$n.test" "$p" \
		>"$work/logs/build-$n.log" 2>&1; then
		bin[$p]=$work/bin/$n.test
	else
		log "build of $p failed (see $work/logs/build-$n.log)"
	fi
done
for v in default static; do
	cgo=1
	[ $v = static ] && cgo=0
	(cd tests/programs && env CGO_ENABLED=$cgo GOFLAGS=-mod=mod GOTOOLCHAIN=local GOENV=off \
		GOPROXY=off GOCACHE="$root/build/bench-gocache" GOPATH="$root/build/bench-gopath" \
		GOMODCACHE="$root/build/bench-gopath/pkg/mod" \
		"$GO" build -o "$work/bin/httpecho-$v" ./httpecho) >"$work/logs/build-httpecho-$v.log" 2>&1 ||
		log "build of httpecho ($v) failed"
done

# ---- measurements ----
export TMPDIR=${BENCH_STD_TMPDIR:-${TMPDIR:-/tmp}}
tmp_fs=$(df -T "$TMPDIR" 2>/dev/null | awk 'NR == 2 { print $2 }')
tmp_opts=$(findmnt -n -o OPTIONS --target "$TMPDIR" 2>/dev/null | tr ',' '\n' | grep -x discard || true)
declare -A res
for ((rep = 1; rep <= REPS; rep++)); do
	for p in "${pkgs[@]}"; do
		[ -n "${bin[$p]:-}" ] || continue
		n=${p//\//_}
		dir=$goroot/src/$p
		T=$work/traces/$n.$rep.grr
		log "$p rep $rep"
		timed_in "$dir" "$work/logs/$n.native.$rep" "${bin[$p]}" -test.short
		res[$p:native]+="${res[$p:native]:+|}$result"
		rm -f "$T"
		timed_in "$dir" "$work/logs/$n.record.$rep" "$GRR" record -o "$T" -- "${bin[$p]}" -test.short
		res[$p:record]+="${res[$p:record]:+|}$result"
		if [ -f "$T" ]; then
			timed_in "$dir" "$work/logs/$n.replay.$rep" "$GRR" replay --autopilot --quiet "$T"
			# (a test that failed when recorded replays to its failure: exit 1)
			grep -q 'exit 1' <<<"$result" && [ "$(cat "$work/logs/$n.record.$rep" | grep -c '^FAIL')" != 0 ] &&
				result=$(( 1 ))
		else
			result="failed (no trace)"
		fi
		res[$p:replay]+="${res[$p:replay]:+|}$result"
	done
	for v in default static; do
		exe=$work/bin/httpecho-$v
		[ -x "$exe" ] || continue
		log "httpecho ($v) rep $rep"
		timed "$work/logs/httpecho-$v.native.$rep" "$exe" 3000
		res[http-$v:native]+="${res[http-$v:native]:+|}$result"
		timed "$work/logs/httpecho-$v.record.$rep" "$GRR" record -o "$work/traces/httpecho-$v.grr" -- "$exe" 3000
		res[http-$v:record]+="${res[http-$v:record]:+|}$result"
		timed "$work/logs/httpecho-$v.strace.$rep" strace -f -o /dev/null "$exe" 3000
		res[http-$v:strace]+="${res[http-$v:strace]:+|}$result"
	done
done

# ---- report ----
echo "## Standard-library tests"
echo
echo "Measured on $(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'),"
echo "$(nproc) CPUs, $(uname -sr), $("$GO" version | awk '{print $3}'), with \`make bench\`"
echo "(tools/bench-stdlib.sh): each package's tests built with \`go test -c\` (default build;"
echo "\"dynamic\" when it is linked against glibc) and run with \`-test.short\` from the"
echo "package's directory natively, under \`grr record\` and under \`grr replay --autopilot"
echo "--quiet\`, interleaved; best of $REPS. Temporary files (TMPDIR) in $TMPDIR"
echo "(${tmp_fs:-unknown file system}${tmp_opts:+, mounted with online discard})."
echo
echo "| package | linking | native | record | replay | record / native | replay / record |"
echo "|---|---|---|---|---|---|---|"
geo=$(mktemp)
worst=0 worst_pkg=""
for p in "${pkgs[@]}"; do
	[ -n "${bin[$p]:-}" ] || { echo "| $p | | build failed | | | | |"; continue; }
	link=static
	file "${bin[$p]}" | grep -q 'dynamically linked' && link=dynamic
	best "${res[$p:native]:-n/a}"; n=$best
	best "${res[$p:record]:-n/a}"; rec=$best
	best "${res[$p:replay]:-n/a}"; rp=$best
	echo "| $p | $link | $(cell "$n") | $(cell "$rec") | $(cell "$rp") | $(ratio "$rec" "$n") | $(ratio "$rp" "$rec") |"
	if isnum "$n" && isnum "$rec" && [ "$n" -ge 100000000 ]; then
		awk -v a="$rec" -v b="$n" 'BEGIN { print log(a / b) }' >>"$geo"
		r=$(awk -v a="$rec" -v b="$n" 'BEGIN { printf "%.2f", a / b }')
		if awk -v r="$r" -v w="$worst" 'BEGIN { exit !(r > w) }'; then worst=$r worst_pkg=$p; fi
	fi
done
echo
gm=$(awk '{ s += $1; n++ } END { if (n) printf "%.2f", exp(s / n); else print "n/a" }' "$geo")
cnt=$(wc -l <"$geo")
echo "Geometric mean of record / native over the $cnt packages whose native run takes at"
echo "least 0.1 s: **${gm}x** (target <= 1.5x); the highest: ${worst}x ($worst_pkg; target <= 4x)."
rm -f "$geo"
echo
echo "Loopback HTTP (\`httpecho 3000\`: 3000 requests to itself):"
echo
echo "| build | native | \`grr record\` | \`strace -f\` | record / strace |"
echo "|---|---|---|---|---|"
for v in default static; do
	best "${res[http-$v:native]:-n/a}"; n=$best
	best "${res[http-$v:record]:-n/a}"; rec=$best
	best "${res[http-$v:strace]:-n/a}"; st=$best
	label=$v
	[ $v = default ] && label="default (dynamic, cgo)"
	[ $v = static ] && label="CGO_ENABLED=0"
	t=""
	[ $v = default ] && t=" (target <= 0.3x: **$(le "$rec" "$st" 0.3)**)"
	echo "| $label | $(cell "$n") | $(cell "$rec") | $(cell "$st") | $(ratio "$rec" "$st")$t |"
done
