#!/usr/bin/env bash
# t_stdlib.sh - Go's own standard-library tests, built as users build
# tests (`go test -c`, the default build: cgo on, so a package whose tests
# import net is linked dynamically against glibc), recorded with
# -test.short -test.v from the package's directory and replayed, with each
# toolchain:
#
#   stdlib/TC/PKG   the replay prints the recorded output and exits with the
#                   recorded status; the recording used both fast paths
#                   (`grr record -v` counts clock reads and syscalls made
#                   in-process: a dynamically linked test binary too)
#
# context's tests (dynamically linked) busy-wait for another goroutine
# (TestContextErrDoneRace); sync's (static) spin in runtime.GC's Gosched
# loop: both once made recording 10-50x slower than native
# (docs/recorder.md, "Threads that spin give way").  Where context has
# TestContextErrDoneRace (Go 1.26 on), its `for ctx.Err() == nil {}` must
# be found busy-waiting (`grr record -v` counts the busy-waits found).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=stdlib
e2e_setup stdlib || exit 1

for tc in $E2E_TOOLCHAINS; do
	go=$(go_for "$tc") || continue
	goroot=$(GOTOOLCHAIN=local GOFLAGS= "$go" env GOROOT 2>/dev/null)
	for pkg in context sync; do
		c=$T/$tc/$pkg
		e2e_want "$c" || continue
		n=$tc-$pkg
		bin=$work/$n.test
		if ! (cd "$goroot/src/$pkg" && E2E_CGO=1 go_env env GOFLAGS= "$go" test -c -o "$bin" .) \
			>"$work/$n.build" 2>&1; then
			e2e_fail "$c" "go test -c failed: $(tail_of "$work/$n.build")"
			continue
		fi
		rc=$(cd "$goroot/src/$pkg" &&
			run_capture "$work/$n-rec" "$GRR" record -v -o "$work/$n.grr" -- "$bin" -test.short -test.v)
		rrc=$(cd "$goroot/src/$pkg" &&
			run_capture "$work/$n-rep" "$GRR" replay --autopilot "$work/$n.grr")
		stats=$(grep '^grr: .* events' "$work/$n-rec.err")
		clock=$(sed -n 's/.*), \([0-9]*\) clock reads and \([0-9]*\) syscalls in-process.*/\1/p' <<<"$stats")
		busy=$(sed -n 's/.*(\([0-9]*\) busy-waits found by.*/\1/p' <<<"$stats")
		if [ "$rc" != 0 ]; then
			e2e_fail "$c" "record: $(describe_rc "$rc")$(stderr_hint "$work/$n-rec.err")"
		elif [ "$rrc" != "$rc" ]; then
			e2e_fail "$c" "replay: $(describe_rc "$rrc"), recorded $rc$(stderr_hint "$work/$n-rep.err")"
		elif ! why=$(same_output "replay stdout" "$work/$n-rec.out" "$work/$n-rep.out"); then
			e2e_fail "$c" "$why"
		elif ! grep -q '^PASS$' "$work/$n-rep.out"; then
			e2e_fail "$c" "no PASS line: $(tail_of "$work/$n-rep.out")"
		elif [ -z "$clock" ] || [ "$clock" = 0 ]; then
			e2e_fail "$c" "no clock read was made in-process: ${stats:-no -v statistics}"
		elif grep -q 'RUN.*TestContextErrDoneRace' "$work/$n-rec.out" &&
			{ [ -z "$busy" ] || [ "$busy" = 0 ]; }; then
			e2e_fail "$c" "TestContextErrDoneRace's busy-wait was not found: ${stats:-no -v statistics}"
		else
			e2e_pass "$c"
		fi
	done
done

[ "$E2E_NFAIL" = 0 ]
