#!/usr/bin/env bash
# t_chaos.sh - chaos mode exposes a data race, and replay reproduces it.
# tests/programs/race (Go 1.26, opt) is recorded with `grr record --chaos
# --seed N` for N = 1, 2, ... until a recording prints "LOST UPDATE" (about
# one seed in four does on an idle machine; chaos slices are times, so a
# busy machine makes it rarer): one of the first 40 must.  That trace must
# replay to the same stdout and exit status.
#
# replays: chaos recordings (seeds 1-3) of programs that make many syscalls
# in a row, run children and take signals (child, signals, threads,
# loopback; both toolchains, optimized) each replay to their stdout and
# exit status.  Chaos timeslices of 10 us make interrupts meet threads at
# every kind of point, the entry of a syscall among them.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=chaos
e2e_setup chaos || exit 1
race=$(build_program go126 opt race) || { e2e_fail $T "build of race failed: $(tail_of "$E2E_WORK/go126-opt/race.log")"; exit 1; }

first= summary=
for seed in $(seq 1 40); do
	rc=$(E2E_TIMEOUT=50 run_capture "$work/rec$seed" "$GRR" record --chaos --seed "$seed" -o "$work/t$seed.grr" -- "$race")
	if [ "$rc" != 0 ]; then
		summary+="seed $seed: $(describe_rc "$rc")$(stderr_hint "$work/rec$seed.err"); "
		continue
	fi
	summary+="seed $seed: $(head -n 1 "$work/rec$seed.out"); "
	if grep -q 'LOST UPDATE' "$work/rec$seed.out"; then
		first=$seed
		break
	fi
done
echo "chaos: seed ${first:-none} of the first 40 showed a lost update"

if [ -z "$first" ]; then
	e2e_fail $T/lost_update "no chaos recording printed LOST UPDATE: $summary"
else
	e2e_pass $T/lost_update
	rc=$(run_capture "$work/rep" "$GRR" replay --autopilot "$work/t$first.grr")
	if [ "$rc" != 0 ]; then
		e2e_fail $T/replay "replay of seed $first: $(describe_rc "$rc")$(stderr_hint "$work/rep.err")"
	elif ! why=$(same_output "replay stdout (seed $first)" "$work/rec$first.out" "$work/rep.out"); then
		e2e_fail $T/replay "$why"
	elif ! grep -q 'LOST UPDATE' "$work/rep.out"; then
		e2e_fail $T/replay "replay did not print LOST UPDATE"
	else
		e2e_pass $T/replay
	fi
fi

fails=
for tc in $E2E_TOOLCHAINS; do
	for prog in child signals threads loopback; do
		if ! bin=$(build_program "$tc" opt "$prog"); then
			fails+="$tc $prog: build failed; "
			continue
		fi
		for seed in 1 2 3; do
			n=$tc-$prog-$seed
			rc=$(run_capture "$work/$n-rec" "$GRR" record --chaos --seed "$seed" -o "$work/$n.grr" -- "$bin")
			rrc=$(run_capture "$work/$n-rep" "$GRR" replay --autopilot "$work/$n.grr")
			if [ "$rrc" != "$rc" ]; then
				fails+="$n: recorded $(describe_rc "$rc"), replayed $(describe_rc "$rrc")$(stderr_hint "$work/$n-rep.err"); "
			elif ! why=$(same_output "$n stdout" "$work/$n-rec.out" "$work/$n-rep.out"); then
				fails+="$why; "
			fi
		done
	done
done
if [ -n "$fails" ]; then
	e2e_fail $T/replays "$fails"
else
	e2e_pass $T/replays
fi

[ "$E2E_NFAIL" = 0 ]
