# bench-lib.sh - timing and formatting helpers shared by the benchmark scripts
# (sourced by tools/bench-record.sh and tools/bench-debug.sh; they set
# TIMEOUT, seconds allowed per run).

# ---- arithmetic and formatting (awk for floating point) ----
isnum() { [[ $1 =~ ^[0-9]+$ ]]; }
# fsec NS: "1.234 s"
fsec() { awk -v n="$1" 'BEGIN { printf "%.3f s", n / 1e9 }'; }
# ratio A B: A/B as "1.23x", or "n/a" when either is not a number
ratio() {
	if isnum "$1" && isnum "$2" && [ "$2" -gt 0 ]; then
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'
	else
		echo "n/a"
	fi
}
# le A B LIMIT: "pass" if A/B <= LIMIT, "fail" if not, "n/a" if unknown
le() {
	if isnum "$1" && isnum "$2" && [ "$2" -gt 0 ]; then
		awk -v a="$1" -v b="$2" -v l="$3" 'BEGIN { print (a / b <= l ? "pass" : "fail") }'
	else
		echo "n/a"
	fi
}
lt() {
	if isnum "$1" && isnum "$2" && [ "$2" -gt 0 ]; then
		awk -v a="$1" -v b="$2" -v l="$3" 'BEGIN { print (a / b < l ? "pass" : "fail") }'
	else
		echo "n/a"
	fi
}

# timed LOG CMD...: runs CMD under a timeout; sets $result to the wall time
# in nanoseconds, "timeout" or "failed (...)".
timed() {
	local logf=$1 t0 t1 rc
	shift
	t0=${EPOCHREALTIME/[.,]/}
	timeout -k 5 "$TIMEOUT" "$@" >"$logf" 2>&1 </dev/null
	rc=$?
	t1=${EPOCHREALTIME/[.,]/}
	case $rc in
	0) result=$(((t1 - t0) * 1000)) ;;
	124 | 137) result="timeout" ;;
	70) result="failed (diverged)" ;;
	*) result="failed (exit $rc)" ;;
	esac
}
if [ -z "${EPOCHREALTIME:-}" ]; then
	timed() {
		local logf=$1 t0 t1 rc
		shift
		t0=$(date +%s%N)
		timeout -k 5 "$TIMEOUT" "$@" >"$logf" 2>&1 </dev/null
		rc=$?
		t1=$(date +%s%N)
		case $rc in
		0) result=$((t1 - t0)) ;;
		124 | 137) result="timeout" ;;
		70) result="failed (diverged)" ;;
		*) result="failed (exit $rc)" ;;
		esac
	}
fi

# best LIST: the minimum of the numeric entries of "a|b|c"; if none is
# numeric, the first entry.  Sets $best and $best_note (how many failed).
best() {
	local IFS='|' e n=0 bad=0 first=""
	best=""
	for e in $1; do
		[ -z "$first" ] && first=$e
		if isnum "$e"; then
			n=$((n + 1))
			if [ -z "$best" ] || [ "$e" -lt "$best" ]; then best=$e; fi
		else
			bad=$((bad + 1))
		fi
	done
	best_note=""
	if [ -z "$best" ]; then
		best=${first:-"n/a"}
	elif [ $bad -gt 0 ]; then
		best_note=" (best of $n; $bad failed/timed out)"
	fi
}

# spread LIST: max/min of the numeric entries of "a|b|c" ("n/a" if < 2)
spread() {
	tr '|' '\n' <<<"$1" | awk '/^[0-9]+$/ { n++; if (!lo || $1 < lo) lo = $1; if ($1 > hi) hi = $1 }
		END { if (n >= 2) printf "%.2fx (%d runs)", hi / lo, n; else print "n/a" }'
}

# pair_ratios A_LIST B_LIST: the ratios a_i/b_i of the runs made in the
# same repetition ("a|b|c" lists, one entry per repetition; a pair with a
# non-number is left out), sorted, one per line.  Runs side by side share
# the machine's state of the moment, so on a noisy machine their ratio
# varies less than the ratio of two minima taken minutes apart.
pair_ratios() {
	paste -d' ' <(tr '|' '\n' <<<"$1") <(tr '|' '\n' <<<"$2") |
		awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ && $2 > 0 { printf "%.4f\n", $1 / $2 }' | sort -n
}

# median_pair A_LIST B_LIST: sets $med to the median of pair_ratios ("n/a"
# if none) and $pairs to the ratios, sorted ("0.95, 1.01, 1.02").
median_pair() {
	local r
	r=$(pair_ratios "$1" "$2")
	pairs="" med=n/a
	[ -z "$r" ] && return
	pairs=$(awk '{ printf "%s%.2f", (NR > 1 ? ", " : ""), $1 }' <<<"$r")
	med=$(awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f", m }' <<<"$r")
}

# cell NS_OR_STATUS: formatted cell
cell() { if isnum "$1"; then fsec "$1"; else echo "$1"; fi; }
