#!/usr/bin/env bash
# t_record_replay.sh - records and replays every program of programs.txt,
# built with each toolchain (E2E_TOOLCHAINS) in each mode (E2E_MODES).
#
# For each program: run natively and check the exit status; record it with
# `grr record` and check the exit status (and, for deterministic programs,
# that stdout equals the native run's); replay with `grr replay --autopilot`
# and check that stdout, stderr and exit status equal the recording's, byte
# for byte.  Nondeterministic programs are recorded and replayed twice, the
# second replay with GRR_NO_PIN=1 (grr and the program not pinned to one
# CPU; tracee/affinity.h).
# One case per program and build: record_replay/TOOLCHAIN-MODE/NAME.
#
# Extra environment (see lib.sh for the common one):
#   E2E_NATIVE_ONLY=1   build and run natively only (checks the programs and
#                       the toolchains; needs no grr)
#   E2E_PROGRAMS        space-separated program names to restrict to
#   E2E_REPLAY_FLAGS    extra replay flags (default none: the replay must
#                       print the program's output, and grr itself prints
#                       nothing on a successful replay)
#   E2E_KEEP=1          keep the traces and outputs of passing cases too
#                       (failing ones are always kept, under
#                       $E2E_WORK/rr/TOOLCHAIN-MODE/NAME)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

T=record_replay
NATIVE_ONLY=${E2E_NATIVE_ONLY:-0}
REPLAY_FLAGS=${E2E_REPLAY_FLAGS-}
ONLY=" ${E2E_PROGRAMS:-} "

now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { printf '%d.%01d' $(($1 / 1000)) $((($1 % 1000) / 100)); }

mapfile -t PROGS < <(read_programs)
selected() { # NAME: listed in E2E_PROGRAMS (when set)
	[ "$ONLY" = "  " ] || [[ $ONLY == *" $1 "* ]]
}

declare -A BIN RES
T_BUILD=0 T_NATIVE=0 T_RECORD=0 T_REPLAY=0

# ---------------------------------------------------------------- builds
t0=$(now_ms)
nbuilt=0
for tc in $E2E_TOOLCHAINS; do
	for mode in $E2E_MODES; do
		for line in "${PROGS[@]}"; do
			IFS='|' read -r name _ <<<"$line"
			selected "$name" && e2e_want "$T/$tc-$mode/$name" || continue
			if bin=$(build_program "$tc" "$mode" "$name"); then
				BIN[$tc-$mode/$name]=$bin
				nbuilt=$((nbuilt + 1))
			fi
		done
	done
done
T_BUILD=$(($(now_ms) - t0))
echo "record_replay: $nbuilt binaries ready in $(secs $T_BUILD)s (cached under $E2E_WORK)"
if [ "$NATIVE_ONLY" != 1 ] && ! grr_available; then
	echo "record_replay: $GRR is missing: every recording case will fail (run make)"
fi

# ----------------------------------------------------------------- cases

# run_case TC MODE NAME ARGS DET STATUS: prints nothing; reports the case.
run_case() {
	local tc=$1 mode=$2 name=$3 args=$4 det=$5 want=$6
	local c=$T/$tc-$mode/$name key=$tc-$mode/$name
	local dir=$E2E_WORK/rr/$tc-$mode/$name bin rc rrc why t
	local -a argv
	read -ra argv <<<"$args"
	RES[$key]=FAIL
	bin=${BIN[$key]:-}
	if [ -z "$bin" ]; then
		e2e_fail "$c" "build failed: $(tail_of "$E2E_WORK/$tc-$mode/$name.log")"
		return
	fi
	rm -rf "$dir" && mkdir -p "$dir"

	t=$(now_ms)
	rc=$(run_capture "$dir/native" "$bin" "${argv[@]}")
	T_NATIVE=$((T_NATIVE + $(now_ms) - t))
	if [ "$rc" != "$want" ]; then
		e2e_fail "$c" "native run: $(describe_rc "$rc"), expected exit $want$(stderr_hint "$dir/native.err")"
		return
	fi
	if [ "$NATIVE_ONLY" = 1 ]; then
		RES[$key]=ok
		rm -rf "$dir"
		e2e_pass "$c"
		return
	fi
	if ! grr_available; then
		e2e_fail "$c" "grr not built ($GRR missing)"
		return
	fi

	local runs=1 i tr
	[ "$det" = yes ] || runs=2
	for ((i = 1; i <= runs; i++)); do
		tr=$dir/trace$i.grr
		t=$(now_ms)
		rc=$(run_capture "$dir/rec$i" "$GRR" record -o "$tr" -- "$bin" "${argv[@]}")
		T_RECORD=$((T_RECORD + $(now_ms) - t))
		if [ "$rc" != "$want" ]; then
			e2e_fail "$c" "record#$i: $(describe_rc "$rc"), expected exit $want$(stderr_hint "$dir/rec$i.err")"
			return
		fi
		if [ "$det" = yes ] && ! why=$(same_output "record#$i stdout (vs native)" "$dir/native.out" "$dir/rec$i.out"); then
			e2e_fail "$c" "$why"
			return
		fi
		if [ ! -e "$tr" ]; then
			e2e_fail "$c" "record#$i: exit $rc but no trace at $tr"
			return
		fi
		t=$(now_ms)
		# shellcheck disable=SC2086
		pin=GRR_NO_PIN=0
		[ "$i" = 2 ] && pin=GRR_NO_PIN=1
		rrc=$(run_capture "$dir/rep$i" env "$pin" "$GRR" replay --autopilot $REPLAY_FLAGS "$tr")
		T_REPLAY=$((T_REPLAY + $(now_ms) - t))
		if [ "$rrc" != "$rc" ]; then
			e2e_fail "$c" "replay#$i: $(describe_rc "$rrc"), recording exited $rc$(stderr_hint "$dir/rep$i.err")"
			return
		fi
		if ! why=$(same_output "replay#$i stdout" "$dir/rec$i.out" "$dir/rep$i.out") ||
			! why=$(same_output "replay#$i stderr" "$dir/rec$i.err" "$dir/rep$i.err"); then
			e2e_fail "$c" "$why"
			return
		fi
	done
	RES[$key]=ok
	[ "${E2E_KEEP:-0}" = 1 ] || rm -rf "$dir"
	e2e_pass "$c"
}

t0=$(now_ms)
for tc in $E2E_TOOLCHAINS; do
	for mode in $E2E_MODES; do
		for line in "${PROGS[@]}"; do
			IFS='|' read -r name args det status <<<"$line"
			selected "$name" && e2e_want "$T/$tc-$mode/$name" || continue
			run_case "$tc" "$mode" "$name" "$args" "$det" "$status"
		done
	done
done
T_ALL=$(($(now_ms) - t0))

# --------------------------------------------------------------- summary
printf '\nrecord_replay summary (ok / FAIL / - not run):\n'
printf '  %-16s' program
for tc in $E2E_TOOLCHAINS; do for mode in $E2E_MODES; do printf ' %-12s' "$tc-$mode"; done; done
echo
for line in "${PROGS[@]}"; do
	IFS='|' read -r name _ <<<"$line"
	row=
	for tc in $E2E_TOOLCHAINS; do for mode in $E2E_MODES; do
		row+=${RES[$tc-$mode/$name]:-}
	done; done
	[ -n "$row" ] || continue
	printf '  %-16s' "$name"
	for tc in $E2E_TOOLCHAINS; do for mode in $E2E_MODES; do
		printf ' %-12s' "${RES[$tc-$mode/$name]:--}"
	done; done
	echo
done
echo "  time: build $(secs $T_BUILD)s, cases $(secs $T_ALL)s (native $(secs $T_NATIVE)s, record $(secs $T_RECORD)s, replay $(secs $T_REPLAY)s)"
echo "  cases: $E2E_NPASS ok, $E2E_NFAIL failing"
[ "$E2E_NFAIL" -eq 0 ]
