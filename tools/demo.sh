#!/usr/bin/env bash
# demo.sh - the newcomer's tour (`make demo`): builds the example program
# tests/programs/demo with Go 1.26, records one run with bin/grr, replays the
# trace twice to show that both replays print exactly what the recording
# printed, summarizes the trace with `grr info`, and runs a scripted
# debugger session that goes forward to breakpoint hits and back.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
GRR=${GRR:-$root/bin/grr}
E2E_WORK=${E2E_WORK:-tests/e2e/work}
E2E_TOOLCHAINS=go126
. tests/e2e/lib.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/grr-demo.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trace=$tmp/demo.grr

if [ -t 1 ]; then
	say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
else
	say() { printf '\n%s\n' "$*"; }
fi
indent() { sed 's/^/    | /' "$@"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

[ -x "$GRR" ] || die "$GRR not found: run 'make' first"

echo "grr demo: a tiny bank where six tellers (goroutines) move money at random."
echo "A check-then-act bug lets accounts go negative -- but how often, and which"
echo "account, depends on thread scheduling and randomness: every run differs."

say "1. Building tests/programs/demo with Go 1.26"
bin=$(build_program go126 opt demo) ||
	die "build failed: $(cat "$E2E_WORK/go126-opt/demo.log" 2>/dev/null)"
echo "    $bin"

say "2. Two ordinary runs, for contrast (last line of each):"
for i in 1 2; do
	echo "    run $i: $("$bin" </dev/null | tail -n 1)"
done

say "3. Recording a run:  grr record -o $trace -- demo"
"$GRR" record -o "$trace" -- "$bin" </dev/null >"$tmp/rec.out" 2>"$tmp/rec.err"
rc=$?
indent "$tmp/rec.out"
[ -s "$tmp/rec.err" ] && indent "$tmp/rec.err"
[ "$rc" = 0 ] || die "recording failed (exit $rc)"
[ -e "$trace" ] || die "no trace written at $trace"
echo "    recorded: exit status $rc, trace $(du -h "$trace" | cut -f1)"

say "4. Replaying it twice:  grr replay --autopilot demo.grr"
for i in 1 2; do
	"$GRR" replay --autopilot "$trace" </dev/null >"$tmp/rep$i.out" 2>"$tmp/rep$i.err"
	rrc=$?
	if [ "$rrc" = 70 ]; then
		indent "$tmp/rep$i.err"
		die "replay $i diverged from the recording (exit 70)"
	fi
	if [ "$rrc" = "$rc" ] && cmp -s "$tmp/rec.out" "$tmp/rep$i.out"; then
		echo "    replay $i: same $(wc -c <"$tmp/rep$i.out") bytes as the recording, same exit status ($rrc):"
		echo "      $(tail -n 1 "$tmp/rep$i.out")"
	else
		echo "    replay $i (exit $rrc) differs from the recording (exit $rc):"
		diff "$tmp/rec.out" "$tmp/rep$i.out" | head -n 10 | indent
		[ -s "$tmp/rep$i.err" ] && indent "$tmp/rep$i.err"
		die "replay $i did not reproduce the recording"
	fi
done

say "5. What is in the trace:  grr info demo.grr"
"$GRR" info "$trace" >"$tmp/info" 2>&1
irc=$?
indent "$tmp/info"
[ "$irc" = 0 ] || die "grr info failed (exit $irc)"

say "6. Debugging the recorded run, forward and backward, with Go values (a scripted session):"
dbg=(--ex "break main.(*bank).move" --ex continue --ex continue --ex continue
	--ex reverse-continue --ex when --ex args --ex "print b.balance" --ex "goroutines")
shown=""
for a in "${dbg[@]}"; do
	case $a in *[\ \(\)\*]*) shown+="'$a' " ;; *) shown+="$a " ;; esac
done
echo "    grr replay --batch --quiet ${shown}demo.grr"
"$GRR" replay --batch --quiet "${dbg[@]}" "$trace" </dev/null >"$tmp/dbg.out" 2>&1
drc=$?
indent "$tmp/dbg.out"
[ "$drc" = 0 ] || die "the debugger session failed (exit $drc)"

echo
echo "Done. Record your own program with:  bin/grr record -o my.grr -- ./myprog args"
echo "replay it with:                      bin/grr replay --autopilot my.grr"
echo "and debug it (help lists commands):  bin/grr replay my.grr"
