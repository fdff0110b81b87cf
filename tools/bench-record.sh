#!/usr/bin/env bash
# bench-record.sh - the recorder/replayer part of `make bench` (called by
# tools/bench.sh).  Builds four Go programs from tests/programs/ and, for
# each, times side by side (interleaved, best of BENCH_REPS runs):
#
#   native                       prog ARGS
#   native pinned to one core    taskset -c 0 prog ARGS
#   strace                       strace -f -o /dev/null prog ARGS
#   record                       bin/grr record -o T -- prog ARGS
#   chaos                        bin/grr record --chaos --seed REP -o T2 -- prog ARGS
#   replay                       bin/grr replay --autopilot --quiet T
#
# then reads the trace (bin/grr info) and runs `bin/grr record -v` once per
# program for its event/anchor/digest counts.  Prints a Markdown section
# "## Recorder and replayer" on stdout; progress goes to stderr.
#
# A run that fails or exceeds BENCH_TIMEOUT seconds is reported as
# "failed"/"timeout" in its cell; a mode that timed out is not repeated in
# the later repetitions of that program.  Always exits 0.
#
# Replay / record is judged on the median of the repetitions' own pairs
# (a replay runs right after the recording of its trace), the best-of-N
# ratio shown beside it.
#
# Environment: BENCH_REPS     repetitions per measurement (default 9)
#              BENCH_TIMEOUT  seconds allowed per run (default 60)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

REPS=${BENCH_REPS:-9}
TIMEOUT=${BENCH_TIMEOUT:-60}
GO=/usr/local/go/bin/go
GRR=$root/bin/grr
work=$root/build/bench-record
mkdir -p "$work/bin" "$work/traces" "$work/logs"
rm -f "$work"/traces/*.grr

# Programs and their arguments, chosen so that each native run takes
# roughly 0.5-2 s (2 CPUs, Xeon 2.5 GHz).
programs=(cpubound httpecho manygoroutines sleeper)
declare -A args=(
	[cpubound]=50000000    # sieve + hash size: ~0.9 s
	[httpecho]=10000       # requests: ~0.6 s
	[manygoroutines]=40000 # goroutine pairs and ring: ~0.65 s
	[sleeper]=""           # fixed 2 s of timers and sleeps
)
declare -A kind=(
	[cpubound]="CPU-bound"
	[httpecho]="syscall-heavy, loopback HTTP"
	[manygoroutines]="goroutine-heavy"
	[sleeper]="idle, timers"
)
modes=(native pinned strace record chaos replay)

log() { echo "bench-record: $*" >&2; }

. "$root/tools/bench-lib.sh"

# ---- build ----
if ! make -s bin/grr >"$work/logs/make.log" 2>&1; then
	if [ -x "$GRR" ]; then
		log "make failed (see $work/logs/make.log); using the existing bin/grr"
	else
		log "make failed; retrying in 60 s"
		sleep 60
		make -s bin/grr >"$work/logs/make.log" 2>&1 || log "make failed again"
	fi
fi
have_grr=1
[ -x "$GRR" ] || { have_grr=0; log "bin/grr missing: recorder cells will read 'failed'"; }
have_strace=1
command -v strace >/dev/null || { have_strace=0; log "strace not installed (tools/deps.sh installs it)"; }
have_taskset=1
command -v taskset >/dev/null || have_taskset=0

declare -A built
for p in "${programs[@]}"; do
	log "building $p"
	if (cd tests/programs && env CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local GOENV=off \
		GOPROXY=off GOCACHE="$root/build/bench-gocache" GOPATH="$root/build/bench-gopath" \
		GOMODCACHE="$root/build/bench-gopath/pkg/mod" \
		"$GO" build -o "$work/bin/$p" "./$p") >"$work/logs/build-$p.log" 2>&1; then
		built[$p]=1
	else
		built[$p]=0
		log "build of $p failed (see $work/logs/build-$p.log)"
	fi
done

# ---- measurements ----
declare -A res      # prog:mode -> "r1|r2|r3"
declare -A tracefor # prog:rep -> trace path of a successful recording
declare -A verbose  # prog -> "N events, M anchors (X ms digesting)"
declare -A vtime    # prog -> wall time of the `grr record -v` run
declare -A stcalls  # prog -> syscalls counted by strace -f -c (without grr)
for p in "${programs[@]}"; do
	[ "${built[$p]}" = 1 ] || continue
	exe=$work/bin/$p
	# shellcheck disable=SC2206
	pargs=(${args[$p]})
	declare -A skip=()
	last_trace=""
	for ((rep = 1; rep <= REPS; rep++)); do
		for m in "${modes[@]}"; do
			key=$p:$m
			if [ -n "${skip[$m]:-}" ]; then continue; fi
			logf=$work/logs/$p.$m.$rep.log
			T=$work/traces/$p.$rep.grr
			case $m in
			native) timed "$logf" "$exe" "${pargs[@]}" ;;
			pinned)
				if [ $have_taskset = 1 ]; then
					timed "$logf" taskset -c 0 "$exe" "${pargs[@]}"
				else
					result="n/a (no taskset)"
				fi ;;
			strace)
				if [ $have_strace = 1 ]; then
					timed "$logf" strace -f -o /dev/null "$exe" "${pargs[@]}"
				else
					result="n/a (no strace)"
				fi ;;
			record)
				if [ $have_grr = 1 ]; then
					rm -f "$T"
					timed "$logf" "$GRR" record -o "$T" -- "$exe" "${pargs[@]}"
					if isnum "$result"; then
						tracefor[$p:$rep]=$T
						last_trace=$T
					fi
				else
					result="failed (no bin/grr)"
				fi ;;
			chaos)
				if [ $have_grr = 1 ]; then
					timed "$logf" "$GRR" record --chaos --seed "$rep" -o "$work/traces/$p.chaos.grr" \
						-- "$exe" "${pargs[@]}"
				else
					result="failed (no bin/grr)"
				fi ;;
			replay)
				if [ -n "$last_trace" ]; then
					timed "$logf" "$GRR" replay --autopilot --quiet "$last_trace"
				else
					result="failed (no trace)"
				fi ;;
			esac
			log "$p rep $rep $m: $(cell "$result")"
			res[$key]=${res[$key]:+${res[$key]}|}$result
			case $result in timeout | n/a*) skip[$m]=1 ;; esac
		done
	done
	unset skip
	if [ $have_strace = 1 ]; then
		log "$p: strace -f -c (syscall count without grr)"
		if timeout -k 5 "$TIMEOUT" strace -f -c -o "$work/logs/$p.strace-c.txt" "$exe" "${pargs[@]}" \
			>/dev/null 2>&1 </dev/null; then
			stcalls[$p]=$(awk '$NF == "total" { print $4 }' "$work/logs/$p.strace-c.txt")
		fi
	fi
	if [ $have_grr = 1 ]; then
		log "$p: grr record -v"
		timed "$work/logs/$p.verbose.log" "$GRR" record -v -o "$work/traces/$p.v.grr" -- "$exe" "${pargs[@]}"
		vtime[$p]=$result
		v=$(grep -m1 -o '[0-9]* events, [0-9]* anchors ([0-9.]* ms digesting[^)]*)' "$work/logs/$p.verbose.log")
		inproc=$(grep -m1 -o '[0-9]* clock reads and [0-9]* syscalls in-process' "$work/logs/$p.verbose.log")
		[ -n "$v" ] && [ -n "$inproc" ] && v="$v, $inproc"
		if isnum "$result"; then
			verbose[$p]="${v:-"(no statistics line)"} in $(fsec "$result")"
		else
			verbose[$p]=$result
		fi
	fi
done

# ---- trace figures ----
# trace_figures TRACE: sets t_events, t_syscalls, t_anchors, t_bytes, t_ratio, t_source.
trace_figures() {
	local T=$1 info
	t_events="" t_syscalls="" t_anchors="" t_bytes="" t_ratio="n/a" t_source=""
	[ -f "$T" ] || return 1
	t_bytes=$(stat -c %s "$T")
	if info=$("$GRR" info "$T" 2>/dev/null) && grep -q '^events:' <<<"$info"; then
		t_source="grr info"
		t_events=$(awk '/^events:/ { print $2; exit }' <<<"$info")
		t_syscalls=$(grep -m1 '^events:' <<<"$info" | grep -o 'syscall_enter [0-9]*' | awk '{ print $2 }')
		t_anchors=$(grep -m1 '^events:' <<<"$info" | grep -o 'anchor [0-9]*' | awk '{ print $2 }')
		t_ratio=$(grep -m1 '^size:' <<<"$info" | grep -o 'ratio [0-9.]*' | awk '{ print $2 }')
		t_ratio=${t_ratio:-n/a}
	else
		# No `grr info`: count the events `grr dump` prints, one per line.
		t_source="grr dump (no compression figures)"
		local d
		d=$("$GRR" dump "$T" 2>/dev/null) || return 1
		t_events=$(grep -c '^#' <<<"$d")
		t_syscalls=$(grep -c ' syscall_enter ' <<<"$d")
		t_anchors=$(grep -c ' anchor' <<<"$d")
	fi
	t_syscalls=${t_syscalls:-0}
	t_anchors=${t_anchors:-0}
	isnum "$t_events"
}

# ---- report ----
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')
echo "## Recorder and replayer"
echo
echo "Measured on $(date -u '+%Y-%m-%d %H:%M UTC'), ${cpu:-unknown CPU}, $(nproc) CPUs,"
echo "$(uname -sr), Go $("$GO" env GOVERSION 2>/dev/null || echo '?'), with \`make bench\`"
echo "(tools/bench.sh runs tools/bench-record.sh).  Each program is built with"
echo "CGO_ENABLED=0 from tests/programs/; for each, the six ways of running it are"
echo "interleaved, $REPS repetitions, and the best (minimum) wall time is kept; replay"
echo "/ record is also the median of each repetition's own pair (the replay right after"
echo "the recording of its trace), less sensitive to the machine's drift.  A run"
echo "is cut after ${TIMEOUT} s (\"timeout\"; not repeated); \"failed\" is a non-zero exit"
echo "(\"diverged\": replay exit 70).  Replay replays the trace recorded in the same"
echo "repetition.  Trace figures are from \`grr info\` on the fastest recording's trace;"
echo "events, anchors and digest time from one extra \`grr record -v\` run; the"
echo "program's syscall count without grr from one extra \`strace -f -c\` run."
echo

declare -A B   # prog:mode -> best ns or status
declare -A MED # prog -> median replay/record ratio of the pairs
for p in "${programs[@]}"; do
	cmdline="$p${args[$p]:+ ${args[$p]}}"
	echo "### $p (\`$cmdline\`, ${kind[$p]})"
	echo
	if [ "${built[$p]}" != 1 ]; then
		echo "Build failed (go build log: build/bench-record/logs/build-$p.log)."
		echo
		continue
	fi
	for m in "${modes[@]}"; do
		best "${res[$p:$m]:-n/a}"
		B[$p:$m]=$best
		declare "note_$m=$best_note"
	done
	n=${B[$p:native]} pin=${B[$p:pinned]} st=${B[$p:strace]} rec=${B[$p:record]} rp=${B[$p:replay]}
	ch=${B[$p:chaos]}

	# trace of the fastest successful recording
	T=""
	if isnum "$rec"; then
		IFS='|' read -r -a rl <<<"${res[$p:record]}"
		for i in "${!rl[@]}"; do
			[ "${rl[$i]}" = "$rec" ] && T=${tracefor[$p:$((i + 1))]:-}
		done
	fi
	have_t=0
	[ -n "$T" ] && trace_figures "$T" && have_t=1

	t_cpu="" t_http="" t_replay="" t_sleep=""
	[ "$p" = cpubound ] && t_cpu=" | <= 1.5x: **$(le "$rec" "$pin" 1.5)**"
	[ "$p" = httpecho ] && t_http=" | <= 1.00x (no slower than strace -f): **$(le "$rec" "$st" 1.0)**"
	median_pair "${res[$p:replay]:-}" "${res[$p:record]:-}"
	MED[$p]=$med
	pair_cell="n/a"
	[ "$med" != n/a ] && pair_cell="${med}x (pairs: $pairs)"
	if [ "$med" = n/a ]; then
		t_replay=" | <= 1.00x (no slower than record): **n/a**"
	else
		t_replay=" | <= 1.00x (no slower than record): **$(awk -v m="$med" 'BEGIN { print (m <= 1.0 ? "pass" : "fail") }')**"
	fi
	[ "$p" = sleeper ] && t_replay=" | < 0.1x: **$(awk -v m="$med" 'BEGIN { print (m != "n/a" && m < 0.1 ? "pass" : "fail") }')**"

	echo "| measure | value | target |"
	echo "|---|---|---|"
	echo "| native | $(cell "$n")$note_native | |"
	echo "| native pinned (\`taskset -c 0\`) | $(cell "$pin")$note_pinned | |"
	echo "| \`strace -f -o /dev/null\` | $(cell "$st")$note_strace | |"
	echo "| \`grr record -o T\` | $(cell "$rec")$note_record | |"
	echo "| \`grr record --chaos --seed REP -o T2\` | $(cell "$ch")$note_chaos | |"
	echo "| \`grr replay --autopilot --quiet T\` | $(cell "$rp")$note_replay | |"
	echo "| noise: slowest / fastest native run | $(spread "${res[$p:native]:-}") | |"
	echo "| record / native | $(ratio "$rec" "$n") | |"
	echo "| record / native pinned | $(ratio "$rec" "$pin")${t_cpu:- |} |"
	echo "| strace / native | $(ratio "$st" "$n") | |"
	echo "| record / strace | $(ratio "$rec" "$st")${t_http:- |} |"
	t_chaos=""
	[ "$p" = cpubound ] && t_chaos=" | <= 3x: **$(le "$ch" "$rec" 3.0)**"
	echo "| chaos record / record | $(ratio "$ch" "$rec")${t_chaos:- |} |"
	echo "| replay / record, best / best | $(ratio "$rp" "$rec") | |"
	echo "| replay / record, median of same-repetition pairs | $pair_cell$t_replay |"
	if [ $have_t = 1 ]; then
		eps=$(awk -v e="$t_events" -v t="$rec" 'BEGIN { printf "%.0f", e / (t / 1e9) }')
		bpe=$(awk -v b="$t_bytes" -v e="$t_events" 'BEGIN { printf "%.1f", e ? b / e : 0 }')
		echo "| events (from $t_source) | $t_events ($t_syscalls syscalls, $t_anchors anchors) | |"
		echo "| events per second of recording | $eps | |"
		echo "| trace size | $t_bytes bytes, $bpe bytes/event | |"
		echo "| compression ratio (uncompressed / file) | $t_ratio | |"
	else
		echo "| trace figures | n/a (no successful recording) | |"
	fi
	echo "| syscalls without grr (\`strace -f -c\`, one extra run) | ${stcalls[$p]:-n/a} | |"
	echo "| \`grr record -v\` | ${verbose[$p]:-n/a} | |"
	echo

	# figures for the cost paragraph
	declare "sys_$p=${t_syscalls:-}" "anc_$p=${t_anchors:-}"
	[ $have_t = 1 ] || declare "sys_$p=" "anc_$p="
done

# ---- what dominates the cost ----
echo "### What dominates the cost"
echo
# per-syscall cost: (time - native) / syscalls, in microseconds
per_sys() { # TIME NATIVE SYSCALLS
	if isnum "$1" && isnum "$2" && isnum "$3" && [ "$3" -gt 0 ]; then
		awk -v t="$1" -v n="$2" -v s="$3" 'BEGIN { printf "%.1f", (t - n) / 1e3 / s }'
	fi
}
para=""
for p in "${programs[@]}"; do
	[ "${built[$p]}" = 1 ] || continue
	n=${B[$p:native]} st=${B[$p:strace]} rec=${B[$p:record]} rp=${B[$p:replay]}
	sysv=sys_$p ancv=anc_$p
	s=${!sysv:-} a=${!ancv:-}
	if ! isnum "$rec" || ! isnum "$n"; then
		para+="**$p**: recording $(cell "$rec"), no overhead figures. "
		continue
	fi
	over_ms=$(awk -v r="$rec" -v n="$n" 'BEGIN { printf "%.0f", (r - n) / 1e6 }')
	line="**$p**: the best recording costs ${over_ms} ms over native"
	vt=${vtime[$p]:-}
	dig=$(grep -o '([0-9.]* ms digesting' <<<"${verbose[$p]:-}" | grep -o '[0-9.]*' | head -1)
	van=$(grep -o '[0-9]* anchors' <<<"${verbose[$p]:-}" | grep -o '[0-9]*')
	if isnum "$vt" && [ -n "$dig" ]; then
		# Split the overhead of the -v run (whose digest time we know) into
		# digesting and the rest, the rest spread over its syscalls.
		vover=$(awk -v r="$vt" -v n="$n" 'BEGIN { x = (r - n) / 1e6; printf "%.0f", (x > 0) ? x : 0 }')
		line+="; in the \`record -v\` run (${vover} ms over native)"
		if [ -n "$van" ] && [ "$van" -gt 0 ]; then
			share=$(awk -v d="$dig" -v o="$vover" 'BEGIN { printf "%.0f", (o > 0) ? 100 * d / o : 0 }')
			per=$(awk -v d="$dig" -v a="$van" 'BEGIN { printf "%.1f", d / a }')
			line+=" $van anchors took $dig ms of memory digesting (${per} ms per anchor, ${share}% of that overhead)"
		else
			line+=" there were no anchors, so no digesting"
		fi
		vs=""
		trace_figures "$work/traces/$p.v.grr" && vs=$t_syscalls
		isnum "$vs" || vs=$s
		if isnum "$vs" && [ "$vs" -gt 0 ]; then
			us=$(awk -v o="$vover" -v d="$dig" -v s="$vs" 'BEGIN { x = (o - d) * 1e3 / s; printf "%.1f", (x > 0) ? x : 0 }')
			half=$(awk -v u="$us" 'BEGIN { printf "%.1f", u / 2 }')
			line+="; the rest is ${us} us per recorded syscall ($vs syscalls, two ptrace stops each, entry and exit: ~${half} us per stop)"
		fi
	fi
	sc=${stcalls[$p]:-}
	if isnum "$s" && isnum "$sc" && [ "$sc" -gt 0 ]; then
		infl=$(awk -v a="$s" -v b="$sc" 'BEGIN { printf "%.3g", a / b }')
		line+="; without grr the program makes $sc syscalls (grr records ${infl}x as many)"
		nbuf=$(grep -o '[0-9]* syscalls in-process' <<<"${verbose[$p]:-}" | grep -o '^[0-9]*')
		if [ -n "$nbuf" ] && [ "$nbuf" -gt 0 ]; then
			line+=", and made $nbuf calls in-process, through the syscall buffer, without a stop"
		fi
		sus=$(per_sys "$st" "$n" "$sc")
		if [ -n "$sus" ] && awk -v u="$sus" 'BEGIN { exit !(u > 0) }'; then
			line+=" and strace -f pays ~${sus} us for each"
		elif isnum "$st"; then
			line+=" and strace -f costs nothing measurable"
		fi
	fi
	if isnum "$rp"; then
		line+="; replay takes ${MED[$p]:-n/a}x the recording time (median of the pairs)"
	else
		line+="; replay: $rp"
	fi
	para+="$line. "
done
echo "$para"
echo
# The verdict: which of the two costs is larger, per program, from the numbers above.
verdict=""
for p in "${programs[@]}"; do
	[ "${built[$p]}" = 1 ] || continue
	n=${B[$p:native]} rec=${B[$p:record]}
	isnum "$rec" && isnum "$n" || continue
	over_ms=$(awk -v r="$rec" -v n="$n" 'BEGIN { printf "%.0f", (r - n) / 1e6 }')
	dig=$(grep -o '([0-9.]* ms digesting)' <<<"${verbose[$p]:-}" | grep -o '[0-9.]*' | head -1)
	dig=${dig:-0}
	vt=${vtime[$p]:-}
	if isnum "$vt"; then # compare the digest time with the overhead of its own run
		over_ms=$(awk -v r="$vt" -v n="$n" 'BEGIN { printf "%.0f", (r - n) / 1e6 }')
	fi
	sysv=sys_$p
	s=${!sysv:-} sc=${stcalls[$p]:-}
	nbuf=$(grep -o '[0-9]* syscalls in-process' <<<"${verbose[$p]:-}" | grep -o '^[0-9]*')
	what=$(awk -v d="$dig" -v o="$over_ms" -v s="$s" -v sc="$sc" -v b="${nbuf:-0}" 'BEGIN {
		if (o < 100 && b > s) printf "little: the syscall buffer made %d of its calls without a stop, %d were stops\n", b, s;
		else if (o < 100) print "nothing much (the program is idle and ptrace stops are few)";
		else if (d >= 0.5 * o) print "anchor digesting";
		else if (s + 0 > 0 && sc + 0 > 0 && s / sc >= 2)
			printf "ptrace stops at syscalls, %.0fx more of them than the program makes without grr\n", s / sc;
		else print "ptrace stops at syscalls" }')
	verdict+="${verdict:+; }$p: $what"
done
echo "In short, the largest share of the recording overhead is, by program: $verdict."
echo "Each syscall costs two ptrace stops plus reading its arguments and results; each"
echo "anchor (timeslice end or asynchronous signal) costs a digest of the program's"
echo "memory, so CPU-bound programs pay per anchor and syscall-heavy ones per syscall."

rm -f "$work"/traces/*.grr
exit 0
