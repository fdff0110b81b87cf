#!/usr/bin/env bash
# t_compat.sh - traces written by earlier versions of grr still replay
# (tests/fixtures/README.md says what each is).
#   clockpage_v1  a format 1.1 trace with the clock page's first layout
#                 replays to its recorded output and exit status.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=compat
e2e_setup compat || exit 1
fix=$E2E_ROOT/tests/fixtures

c=$T/clockpage_v1
if e2e_want "$c"; then
	if ! "$GRR" info "$fix/clockspin-1.1.grr" >"$work/info.out" 2>&1; then
		e2e_fail "$c" "grr info: $(tail_of "$work/info.out")"
	elif ! grep -q '^format: *1\.1$' "$work/info.out"; then
		e2e_fail "$c" "the fixture is not format 1.1: $(grep format "$work/info.out")"
	else
		rc=$(run_capture "$work/rep" "$GRR" replay --autopilot "$fix/clockspin-1.1.grr")
		if [ "$rc" != 0 ]; then
			e2e_fail "$c" "replay: $(describe_rc "$rc")$(stderr_hint "$work/rep.err")"
		elif why=$(same_output "replay stdout" "$fix/clockspin-1.1.out" "$work/rep.out"); then
			e2e_pass "$c"
		else
			e2e_fail "$c" "$why"
		fi
	fi
fi

[ "$E2E_NFAIL" = 0 ]
