#!/usr/bin/env bash
# t_dlv_replay.sh - Delve's rr backend on grr traces, with grr's bin/ first on
# PATH (bin/rr is grr): `rr record` makes a trace directory, `dlv replay`
# debugs it.  Debian's Delve 1.20 on the go119 builds, Delve v1.27.2 (built
# with `go install`, as t_delve.sh does) on the go126 and go127 builds: break,
# continue, print, goroutines, rewind, checkpoint and restart, next and rev
# next, rev step.  Then VS Code's path with Delve v1.27.2: tests/dap, a DAP
# client on `dlv dap` in "mode": "replay" (breakpoint, stack, variables,
# continue, reverseContinue, stepBack).
#
# Delve refuses its rr backend while kernel.perf_event_paranoid is above 1
# (grr needs no counters): the script sets it to 1, as root, and puts the old
# value back when it ends.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_setup dlv_replay || exit 1
SRC=$E2E_PROGRAMS_DIR/ledger/main.go
L_APPLY=$(grep -n '// @apply$' "$SRC" | cut -d: -f1)
DLV_VERSION=v1.27.2
dlvdir=$E2E_WORK/dlv-$DLV_VERSION
PARANOID=/proc/sys/kernel/perf_event_paranoid
old_paranoid=$(cat "$PARANOID" 2>/dev/null || echo 1)
if [ "$old_paranoid" -gt 1 ]; then
	if ! echo 1 >"$PARANOID" 2>/dev/null; then
		e2e_skip dlv_replay "kernel.perf_event_paranoid is $old_paranoid and cannot be set to 1 (not root): Delve refuses its rr backend"
		exit 0
	fi
	trap 'echo "$old_paranoid" >"$PARANOID"; [ -n "${E2E_KEEP:-}" ] || rm -rf "$work"' EXIT
fi
export PATH=$E2E_ROOT/bin:$PATH

# Delve v1.27.2 for Go 1.26 and 1.27 (network needed the first time)
dlv_new() {
	[ -x "$dlvdir/bin/dlv" ] ||
		GOPATH=$dlvdir GOCACHE=$E2E_WORK/gocache GOFLAGS=-mod=mod GOTOOLCHAIN=local \
			timeout 600 "$(go_for go126)" install "github.com/go-delve/delve/cmd/dlv@$DLV_VERSION" \
			>"$work/dlv-install.log" 2>&1
}

# After `restart c1` Delve keeps the thread it had selected (it reads no
# thread from the restart's stop, with rr as with grr); when goroutine 1
# ran on another thread at the second hit than at the checkpoint (the
# recording decides), that thread is somewhere in the runtime at c1:
# `goroutine 1` selects the goroutine again.
script() {
	cat <<EOS
break main.apply
continue
continue
print amount
goroutines
rewind
print amount
checkpoint c1
continue
print amount
restart c1
goroutine 1
print amount
next
next
rev next
rev next
rev step
print i
continue
continue
continue
continue
continue
continue
rewind
print amount
exit
EOS
}

for tc in $E2E_TOOLCHAINS; do
	c=dlv_replay/$tc
	e2e_want "$c" || continue
	if [ "$tc" = go119 ]; then
		DLV=$(command -v dlv)
		[ -n "$DLV" ] || { e2e_fail "$c" "Debian's delve is not installed (tools/deps.sh)"; continue; }
	elif dlv_new; then
		DLV=$dlvdir/bin/dlv
	else
		e2e_skip "$c" "could not install Delve $DLV_VERSION (no network?): $(tail -n 1 "$work/dlv-install.log")"
		continue
	fi
	if ! bin=$(build_program "$tc" debug ledger); then
		e2e_fail "$c" "build failed: $(tail_of "$E2E_WORK/$tc-debug/ledger.log")"
		continue
	fi
	tdir=$work/$tc-trace
	rm -rf "$tdir"
	rr record --print-trace-dir=3 --output-trace-dir "$tdir" "$bin" \
		>"$work/$tc-rec.out" 2>"$work/$tc-rec.err" 3>"$work/$tc-dir.txt"
	if [ "$(cat "$work/$tc-dir.txt")" != "$tdir" ]; then
		e2e_fail "$c" "rr record printed '$(cat "$work/$tc-dir.txt")' as the trace directory$(stderr_hint "$work/$tc-rec.err")"
		continue
	fi
	script >"$work/$tc.init"
	timeout 300 "$DLV" replay "$tdir" --init "$work/$tc.init" \
		--allow-non-terminal-interactive=true </dev/null >"$work/$tc.raw" 2>&1
	sed 's/\x1b\[[0-9;]*m//g' "$work/$tc.raw" | grep -v '^ \+[0-9]*:\|^=> ' >"$work/$tc.out"
	# the values printed, in order: amount 2, 1 after rewind, 2 after the
	# checkpoint's continue, 1 after restart c1, i after rev step, 5 at the
	# last rewind (the fifth call, before the end)
	vals=$(grep -x '[0-9]\+' "$work/$tc.out" | paste -sd' ')
	bad=
	grep -q 'Breakpoint 1 set at' "$work/$tc.out" || bad+="no breakpoint; "
	grep -q 'hits goroutine(1):2 total:2' "$work/$tc.out" || bad+="no second hit; "
	grep -q 'goroutines\]' "$work/$tc.out" || bad+="no goroutines; "
	grep -q 'Checkpoint c1 created' "$work/$tc.out" || bad+="no checkpoint; "
	grep -q 'has exited with status 0' "$work/$tc.out" || bad+="no end of the recording; "
	grep -q 'main.go:39' "$work/$tc.out" || bad+="rev step did not reach main.main:39; "
	[ "$vals" = "2 1 2 1 1 5" ] || bad+="values printed '$vals', want '2 1 2 1 1 5'; "
	if [ -n "$bad" ]; then
		e2e_fail "$c" "$bad$(grep -i 'error\|could not\|not available' "$work/$tc.out" | head -3 | tr '\n' '|')"
	else
		e2e_pass "$c"
	fi

	# VS Code's path: dlv dap, "mode": "replay" (Delve >= 1.21 only)
	c=dlv_replay/dap-$tc
	[ "$tc" = go119 ] && continue
	e2e_want "$c" || continue
	if ! (cd "$E2E_ROOT/tests/dap" && GOFLAGS=-mod=mod GOMODCACHE=$dlvdir/pkg/mod \
		GOCACHE=$E2E_WORK/gocache GOTOOLCHAIN=local timeout 600 "$(go_for go126)" build \
		-o "$E2E_WORK/dapclient" .) >"$work/dap-build.log" 2>&1; then
		e2e_skip "$c" "could not build tests/dap (github.com/google/go-dap from the module proxy; no network?): $(tail -n 1 "$work/dap-build.log")"
		continue
	fi
	timeout 300 "$E2E_WORK/dapclient" -dlv "$DLV" -trace "$tdir" -file "$SRC" \
		-line "$L_APPLY" -var amount >"$work/dap-$tc.out" 2>"$work/dap-$tc.err"
	if grep -qx PASS "$work/dap-$tc.out"; then
		e2e_pass "$c"
	else
		e2e_fail "$c" "$(tr '\n' '|' <"$work/dap-$tc.out")$(stderr_hint "$work/dap-$tc.err")"
	fi
done
[ "$E2E_NFAIL" = 0 ]
