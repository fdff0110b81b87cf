#!/usr/bin/env bash
# t_terminal.sh - Delve's terminal commands in grr (docs/debugger.md) on
# tests/programs/ledger, debug builds, each toolchain:
#   discovery   funcs, packages, sources, types, vars and print %x/%b/%o at
#               the second hit of main.apply, compared with Delve's output
#               at the same breakpoint (Delve 1.20 for go119, 1.27 else);
#               threads and libraries in Delve's layout
#   delve_cmds  trace (tracepoints print and go on), on BP CMD, rev next,
#               check / clear-checkpoint, source FILE, config alias and
#               source-list-line-count saved with config -save and read by
#               the next session; the commands not built answer with one
#               line and fail
#   moved       a copy of ledger built in a "CI checkout", recorded and
#               packed; the checkout moved elsewhere and the binary deleted:
#               break FILE:LINE, list and the stack work from the sources
#               packed in the trace; with config substitute-path from the
#               moved (and edited) checkout, list shows it with a warning
#   hitcount    condition -hitcount (> N, % N) forward and with rev c, toggle,
#               transcript FILE / -off, edit (a fake $EDITOR)
#   per_g       condition -per-g-hitcount on tests/programs/workers
#   deferred    deferred N CMD on tests/programs/gostacks
#   goroot      (go126) the recording's GOROOT deleted: list maps it to the
#               local GOROOT of the same version
# and once, on go126 (python3's pty module):
#   pty         Tab completes a command, a function, FILE: and a variable;
#               an empty line repeats the last command; history is kept in
#               $XDG_DATA_HOME/grr/history and read by the next session.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_setup terminal || exit 1
SRC=$E2E_PROGRAMS_DIR/ledger/main.go
L_APPLY=$(grep -n '// @apply$' "$SRC" | cut -d: -f1)
DLV119=$(command -v dlv || true)
DLV126=${DLV126:-$E2E_WORK/dlv-v1.27.2/bin/dlv}
[ -x "$DLV126" ] || DLV126=""

DISCOVER=('funcs ^main\.' 'packages ^main$' 'sources ledger/main.go$' 'types ^main\.'
	'types ^\*main\.' 'types ^\[\]\*main' 'print %x *a'
	'vars ^main\.counter$' 'print %x amount' 'print %b amount' 'print %o amount'
	'print %d amount')

# discover_script: the commands, each after a marker
discover_script() {
	local i=0 e
	echo "break main.apply"
	echo continue
	echo continue
	for e in "${DISCOVER[@]}"; do
		echo "print \"@@$i\""
		echo "$e"
		i=$((i + 1))
	done
}

# blocks FILE: what follows each marker, one line per command
blocks() {
	sed 's/\x1b\[[0-9;]*m//g' "$1" | awk '!(/^> / || /^ +[0-9]+:\t/ || /^=> +[0-9]+:\t/ || /^$/)' |
		marker_blocks '|'
}

for tc in $E2E_TOOLCHAINS; do
	c=terminal/$tc
	e2e_want "$c" || continue
	build_and_record "$c" "$tc" debug ledger || continue

	if e2e_want "$c/discovery"; then
		DLV=$DLV119
		[ "$tc" = go119 ] || DLV=$DLV126
		discover_script >"$work/disc.txt"
		dbg disc "source $work/disc.txt" 'print "@@99"' threads libraries
		blocks "$work/disc.out" | head -n "${#DISCOVER[@]}" >"$work/grr.blocks"
		bad=""
		if [ "$(wc -l <"$work/grr.blocks")" != "${#DISCOVER[@]}" ] ||
			grep -q '^error' "$work/disc.err"; then
			bad="grr printed $(wc -l <"$work/grr.blocks") blocks: $(show disc)"
		elif ! grep -qE '^\* Thread [0-9]+ at 0x[0-9a-f]+ .*main\.go:[0-9]+ main\.apply$' "$work/disc.out" ||
			! grep -q '^no shared libraries' "$work/disc.out"; then
			bad="threads/libraries: $(show disc)"
		elif [ -n "$DLV" ]; then
			(cat "$work/disc.txt"; echo exit) >"$work/dlv-init.txt"
			timeout 120 "$DLV" exec "$bin" --init "$work/dlv-init.txt" \
				--allow-non-terminal-interactive=true </dev/null >"$work/dlv.out" 2>&1
			blocks "$work/dlv.out" >"$work/dlv.blocks"
			i=0
			while IFS= read -r want && IFS= read -r got <&3; do
				# Delve 1.20 has no packages command, and Delve 1.27
				# does not list package main of a Go 1.27 build (it
				# lists the others): grr does
				case "${DISCOVER[$i]}:$want" in
				"packages ^main\$:" | *"command not available") i=$((i + 1)); continue ;;
				esac
				[ "$want" = "$got" ] || bad+="[${DISCOVER[$i]}: delve '$want' grr '$got'] "
				i=$((i + 1))
			done <"$work/dlv.blocks" 3<"$work/grr.blocks"
			[ "$i" = "${#DISCOVER[@]}" ] || bad+="compared $i of ${#DISCOVER[@]}: $(tail -c 300 "$work/dlv.out")"
		fi
		if [ -n "$bad" ]; then e2e_fail "$c/discovery" "${bad:0:2000}"; else e2e_pass "$c/discovery"; fi
	fi

	if e2e_want "$c/delve_cmds"; then
		echo 'print main.counter' >"$work/cmds.txt"
		dbg dc 'trace main.apply' 'break main.(*Ledger).post' 'on 2 print amount' c c \
			'rev next' 'rev step-instruction' 'check here' checkpoints 'clear-checkpoint 1' \
			checkpoints "source $work/cmds.txt" 'clear 2' c
		# config -save, read by the next session (the tests' own XDG_CONFIG_HOME)
		rm -rf "$XDG_CONFIG_HOME/grr"
		dbg save 'config alias breakpoints bb' 'config source-list-line-count 2' 'config -save'
		dbg saved 'bb' 'config -list' 'list main.apply'
		rm -rf "$XDG_CONFIG_HOME/grr"
		dbg refuse 'toggle 9' 'deferred 1 locals' 'set counter = 1' 'condition -hitcount 9 > 1' \
			'transcript -q x' 'rev foo'
		traces=$(grep -c '^> goroutine(1): main.apply(l = .*amount = [1-5]) event [0-9]*$' "$work/dc.out")
		bad=""
		# 5, and 6 where rev step-instruction went back over the
		# tracepoint's address, which the last continue then passes again
		[ "$traces" = 5 ] || [ "$traces" = 6 ] || bad+="trace lines: $traces; "
		[ "$(grep -c '^> print amount$' "$work/dc.out")" = 2 ] || bad+="on: no '> print amount'; "
		grep -q "^> main.apply() .*main.go:$L_APPLY goroutine 1 event" "$work/dc.out" || bad+="rev next; "
		grep -q '^Checkpoint 1 event .* - here$' "$work/dc.out" || bad+="check; "
		grep -q '^No checkpoints.$' "$work/dc.out" || bad+="clear-checkpoint; "
		grep -q '^Process exited with status 0' "$work/dc.out" || bad+="no exit; "
		[ "$(rc_of dc)" = 0 ] || bad+="status $(rc_of dc): $(head -c 300 "$work/dc.err"); "
		grep -q '^aliases	breakpoints: bb' "$work/saved.out" &&
			[ "$(grep -cE '^(=>)? +[0-9]+:' "$work/saved.out")" = 5 ] &&
			grep -q '^Breakpoint unrecovered-panic' "$work/saved.out" || bad+="config -save: $(show saved); "
		[ "$(rc_of refuse)" = 1 ] && [ "$(grep -c '^error: ' "$work/refuse.err")" = 6 ] ||
			bad+="refusals: $(show refuse)"
		if [ -n "$bad" ]; then e2e_fail "$c/delve_cmds" "$bad $(show dc)"; else e2e_pass "$c/delve_cmds"; fi
	fi

	if e2e_want "$c/hitcount"; then
		# Delve's hit conditions, the same forward and backward; toggle;
		# transcript; edit (a fake editor records its arguments)
		printf '#!/bin/sh\necho "$@" >"%s"\n' "$work/editor.args" >"$work/editor.sh"
		chmod +x "$work/editor.sh"
		rm -f "$work/tr.txt" "$work/editor.args"
		EDITOR=$work/editor.sh DELVE_EDITOR='' \
			dbg hc 'break main.apply' 'condition -hitcount 1 > 3' c 'print "@@0"' 'print amount' \
			c 'print "@@1"' 'print amount' 'rev c' 'print "@@2"' 'print amount' \
			'condition -hitcount 1 % 2' 'rev c' 'print "@@3"' 'print amount' \
			'break main.(*Ledger).post' 'toggle 2' breakpoints c 'print "@@4"' 'print amount' \
			"transcript -t $work/tr.txt" 'print l.posts' 'transcript -off' 'print "@@5"' \
			'print amount' 'edit'
		vals=$(marker_blocks , <"$work/hc.out" | cut -d, -f1 | tr '\n' ' ')
		bad=""
		[ "$vals" = "4 5 4 2 4 4 " ] || bad+="values '$vals' (want 4 5 4 2 4 4); "
		grep -q '^Breakpoint 2 toggled (disabled) at 0x[0-9a-f]* for main.(\*Ledger).post()' "$work/hc.out" &&
			grep -q '^Breakpoint 2 (disabled) main.(\*Ledger).post hits 0' "$work/hc.out" &&
			grep -q '^	cond -hitcount % 2$' "$work/hc.out" || bad+="toggle/breakpoints; "
		printf '(grr) print l.posts\n3\n(grr) transcript -off\n' | cmp -s - "$work/tr.txt" ||
			bad+="transcript: $(head -c 200 "$work/tr.txt" | tr '\n' '|'); "
		grep -q '^3$' "$work/hc.out" || bad+="transcript not shown; "
		[ "$(cat "$work/editor.args" 2>/dev/null)" = "+$L_APPLY $SRC" ] ||
			bad+="edit: $(cat "$work/editor.args" 2>/dev/null); "
		[ "$(rc_of hc)" = 0 ] || bad+="$(show hc); "
		if [ -n "$bad" ]; then e2e_fail "$c/hitcount" "$bad"; else e2e_pass "$c/hitcount"; fi
	fi

	if e2e_want "$c/moved"; then
		ci=$work/ci/home/runner/work/app
		rm -rf "$work/ci" "$work/laptop"
		mkdir -p "$ci" "$work/laptop"
		cp "$SRC" "$ci/main.go"
		printf 'module example.com/app\n\ngo 1.19\n' >"$ci/go.mod"
		bad=""
		gcfl=$(gcflags_for debug)
		if ! (cd "$ci" && go_env "$(go_for "$tc")" build "$gcfl" -o app .) >"$work/ci-build.log" 2>&1; then
			bad="build: $(tail_of "$work/ci-build.log")"
		elif [ "$(run_capture "$work/ci-rec" "$GRR" record -o "$work/ci.grr" -- "$ci/app")" != 0 ] ||
			[ "$(run_capture "$work/ci-pack" "$GRR" pack "$work/ci.grr")" != 0 ]; then
			bad="record/pack: $(cat "$work/ci-rec.err" "$work/ci-pack.err" | head -c 300)"
		elif ! grep -q ', 1 source file' "$work/ci-pack.out" ||
			! "$GRR" info "$work/ci.grr" | grep -q '^sources: *packed, 1 file'; then
			bad="pack/info: $(cat "$work/ci-pack.out") $("$GRR" info "$work/ci.grr" | grep sources)"
		else
			rm -f "$ci/app"
			mv "$ci" "$work/laptop/app"
			tr=$work/ci.grr
			dbg moved "break main.go:$L_APPLY" c list bt
			grep -qE "^=> +$L_APPLY:.*// @apply$" "$work/moved.out" || bad+="list from the trace; "
			grep -q "^Breakpoint 1 set at .*main.go:$L_APPLY\$" "$work/moved.out" || bad+="break; "
			grep -q "at /home/.*app/main.go:$L_APPLY\$\|at .*main.go:$L_APPLY\$" "$work/moved.out" || bad+="bt; "
			[ "$(rc_of moved)" = 0 ] || bad+="$(show moved); "
			echo '// edited on the laptop' >>"$work/laptop/app/main.go"
			dbg subst "config substitute-path $work/ci/home/runner/work/app $work/laptop/app" \
				"list main.apply"
			grep -q "^Showing $work/laptop/app/main.go:$L_APPLY" "$work/subst.out" || bad+="substitute-path: $(show subst); "
			grep -q "^warning: $work/laptop/app/main.go differs from the source" "$work/subst.err" || bad+="no warning; "
		fi
		if [ -n "$bad" ]; then e2e_fail "$c/moved" "$bad"; else e2e_pass "$c/moved"; fi
		tr=$work/$tc-debug.grr
	fi

	if [ "$tc" = go126 ] && e2e_want "$c/pty"; then
		xdg=$work/xdg-data
		rm -rf "$xdg"
		python3 "$E2E_ROOT/tests/e2e/pty_session.py" "$GRR" "$tr" "$xdg" \
			'brea\t' ' main.ap\t' '\n' 'c\n' 'p amou\t' '\n' '\n' 'list main.g\t' "$L_APPLY\n" 'quit\n' \
			2>&1 | tr -d '\a' >"$work/pty1.out"
		python3 "$E2E_ROOT/tests/e2e/pty_session.py" "$GRR" "$tr" "$xdg" \
			'\x1b[A\x1b[A\n' 'quit\n' 2>&1 | tr -d '\a' >"$work/pty2.out"
		bad=""
		grep -q '(grr) break main.apply *$' "$work/pty1.out" || bad+="command/function completion; "
		grep -q '^Breakpoint 1 set at' "$work/pty1.out" || bad+="break; "
		[ "$(grep -c '^1$' "$work/pty1.out")" = 2 ] || bad+="variable completion or empty line repeat; "
		grep -q "(grr) list main.go:$L_APPLY" "$work/pty1.out" || bad+="FILE: completion; "
		# libedit's history file writes blanks as \040
		grep -q '^list.*main.go:' "$xdg/grr/history" 2>/dev/null || bad+="no history file; "
		grep -q "^Showing .*main.go:$L_APPLY" "$work/pty2.out" || bad+="history not read back (up arrow); "
		if [ -n "$bad" ]; then
			e2e_fail "$c/pty" "$bad $(tail -c 600 "$work/pty1.out" | tr '\n' '|') || $(tail -c 300 "$work/pty2.out" | tr '\n' '|')"
		else
			e2e_pass "$c/pty"
		fi
	fi

	# the recording's GOROOT gone: built by a copy of this Go in another
	# directory, which is then deleted; without any substitute-path rule,
	# list shows the standard library's file from the local GOROOT (same
	# version, `go env` of the go first on PATH)
	if [ "$tc" = go126 ] && e2e_want "$c/goroot"; then
		cigo=$work/ci-goroot
		rm -rf "$cigo"
		gbad=""
		if ! cp -al /usr/local/go "$cigo" 2>/dev/null && ! cp -a /usr/local/go "$cigo"; then
			gbad="cannot copy GOROOT"
		elif ! (cd "$E2E_PROGRAMS_DIR" && PATH=$cigo/bin:$PATH go_env go build -o "$work/gr.bin" ./ledger) \
			>"$work/gr-build.log" 2>&1; then
			gbad="build: $(tail_of "$work/gr-build.log")"
		elif ! strings "$work/gr.bin" | grep -q "^$cigo/src/fmt/print.go$"; then
			gbad="the binary does not name $cigo/src/fmt/print.go"
		fi
		rm -rf "$cigo"
		if [ -z "$gbad" ] &&
			[ "$(run_capture "$work/gr-rec" "$GRR" record -o "$work/gr.grr" -- "$work/gr.bin")" = 0 ]; then
			keep=$tr
			tr=$work/gr.grr
			PATH=/usr/local/go/bin:$PATH dbg gr 'break fmt.Println' c list
			tr=$keep
			grep -q '^Showing /usr/local/go/src/fmt/print.go:[0-9]* ' "$work/gr.out" &&
				grep -q '^=> *[0-9]*:.*Fprintln(os.Stdout' "$work/gr.out" || gbad="list: $(show gr)"
		elif [ -z "$gbad" ]; then
			gbad="record: $(head -c 300 "$work/gr-rec.err")"
		fi
		if [ -n "$gbad" ]; then e2e_fail "$c/goroot" "$gbad"; else e2e_pass "$c/goroot"; fi
	fi

	# per-goroutine hit counts on tests/programs/workers (eight goroutines
	# each calling work 300 times): at a goroutine's 3rd call its two
	# earlier calls have added 6*id to out[id]; forward and backward
	if e2e_want "$c/per_g" && build_and_record "$c/per_g" "$tc" debug workers; then
		dbg pg 'break main.work' 'condition -per-g-hitcount 1 == 3' c 'print "@@0"' 'print id' \
			'print out[id]' c 'print "@@1"' 'print id' 'print out[id]' 'rev c' 'print "@@2"' \
			'print id' 'print out[id]'
		bad=""
		blocks=$(marker_blocks , <"$work/pg.out" | cut -d, -f1,2)
		[ "$(echo "$blocks" | wc -l)" = 3 ] || bad+="$(show pg); "
		while IFS=, read -r id v; do
			[ -n "$id" ] && [ "$v" = $((6 * id)) ] || bad+="id $id out[id] $v; "
		done <<<"$blocks"
		[ "$(echo "$blocks" | sed -n 1p)" = "$(echo "$blocks" | sed -n 3p)" ] ||
			bad+="rev c did not come back to the first stop: $(echo "$blocks" | tr '\n' ' '); "
		[ "$(echo "$blocks" | sed -n 1p)" != "$(echo "$blocks" | sed -n 2p)" ] || bad+="same goroutine twice; "
		if [ -n "$bad" ]; then e2e_fail "$c/per_g" "$bad"; else e2e_pass "$c/per_g"; fi
	fi

	# deferred N CMD on tests/programs/gostacks: deep's pending deferred call
	if e2e_want "$c/deferred" && build_and_record "$c/deferred" "$tc" debug gostacks; then
		gsrc=$E2E_PROGRAMS_DIR/gostacks/main.go
		dbg df "break main.go:$(grep -n '// @deep$' "$gsrc" | cut -d: -f1)" c 'stack -defer 1' \
			'deferred 1 args' 'deferred 1 print done.noCopy' 'deferred 2 args' 'deferred 1 next'
		bad=""
		grep -A2 '^       defer 1: 0x[0-9a-f]* in sync\.(\*WaitGroup)\.Done$' "$work/df.out" |
			grep -q "^                deferred by main\.deep at .*main.go:$(grep -n '// @deferdeep$' "$gsrc" | cut -d: -f1)\$" ||
			bad+="stack -defer; "
		grep -q '^(no args)$' "$work/df.out" || bad+="deferred 1 args; "
		grep -q '^sync.noCopy {}$' "$work/df.out" || bad+="deferred 1 print; "
		grep -q '^error: Frame 0 only has 1 deferred calls$' "$work/df.err" || bad+="deferred 2; "
		grep -q "^error: deferred: next cannot run in a deferred call's scope" "$work/df.err" ||
			bad+="deferred next; "
		if [ -n "$bad" ]; then e2e_fail "$c/deferred" "$bad $(show df)"; else e2e_pass "$c/deferred"; fi
	fi
done
[ "$E2E_NFAIL" = 0 ]
