#!/usr/bin/env bash
# t_core.sh - `dump FILE`: core files of recorded moments, opened with the
# real clients, on tests/programs/coredump for each toolchain and build
# mode.  Delve 1.20 (Debian's) opens the go119 cores, Delve v1.27.2 (built
# by `go install`, as t_delve.sh does) the go126 and go127 ones; gdb all.
#
#   gdb         at a breakpoint in main.inspect: `bt` shows it, `info
#               threads` lists every thread with its recorded id (those of
#               the core's NT_PRSTATUS notes, the current one first), the
#               executable's mappings come from NT_FILE; no segment covers
#               grr's pages; writable and anonymous segments are whole
#   goroutines  `dlv core` lists the goroutines grr lists at that moment,
#               with the same status and thread
#   values      `dlv core` prints arguments, locals, a struct, a map, a
#               package variable as grr prints them; `bt` of the goroutine
#               five calls deep in recurse
#   reverse     a core written after reverse-continue (from checkpoint
#               copies: GRR_CHECKPOINT_INTERVAL=0) has the memory segments
#               of one written at the same moment reached forward, byte for
#               byte
#   syscall     a moment a thread is blocked in read(2), that thread
#               selected (its goroutine): it comes first, and both tools
#               show it in the read
#   signal      a moment in the SIGUSR1 handler (runtime.sigsend) and the
#               end of the recording: both tools open them
#   packed      a packed trace whose executable is gone: FILE.exe is
#               written beside the core, `dlv core FILE.exe FILE` works
#
# And once: unwritable paths, a directory, a full disk (a small tmpfs),
# a replay that diverged (no process): one error line, no file left.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_setup core || exit 1
SRC=$E2E_PROGRAMS_DIR/coredump/main.go
L_INSPECT=$(grep -n '// @inspect$' "$SRC" | cut -d: -f1)
GDB=$(command -v gdb)
DLV119=${DLV:-$(command -v dlv)}
DLV_VERSION=v1.27.2
DLV126=${DLV126:-}
if [ -z "$DLV126" ] && [[ " $E2E_TOOLCHAINS " == *" go126 "* || " $E2E_TOOLCHAINS " == *" go127 "* ]]; then
	dlvdir=$E2E_WORK/dlv-$DLV_VERSION
	if [ -x "$dlvdir/bin/dlv" ] ||
		GOPATH=$dlvdir GOCACHE=$E2E_WORK/gocache GOFLAGS=-mod=mod GOTOOLCHAIN=local \
			timeout 600 "$(go_for go126)" install "github.com/go-delve/delve/cmd/dlv@$DLV_VERSION" \
			>"$work/dlv-install.log" 2>&1; then
		DLV126=$dlvdir/bin/dlv
	fi
fi

# ------------------------------------------------------------ helpers

# gdb_on EXE CORE NAME CMD...: gdb's batch output in $work/NAME.gdb
gdb_on() {
	local exe=$1 core=$2 name=$3
	shift 3
	local -a args=()
	local c
	for c in "$@"; do args+=(-ex "$c"); done
	timeout 120 "$GDB" -batch -nx -iex 'set auto-load no' "${args[@]}" "$exe" "$core" \
		>"$work/$name.gdb" 2>&1
}

# dlv_on EXE CORE NAME CMD...: `dlv core`'s output (colours removed) in
# $work/NAME.dlv
dlv_on() {
	local exe=$1 core=$2 name=$3
	shift 3
	printf '%s\n' "$@" exit >"$work/$name.init"
	timeout 120 "$DLV" core "$exe" "$core" --init "$work/$name.init" \
		--allow-non-terminal-interactive=true </dev/null 2>&1 |
		sed 's/\x1b\[[0-9;]*m//g' >"$work/$name.dlv"
}

# goroutine_set FILE: "[*]ID STATUS thread N" for each goroutine line of a
# `goroutines` listing (grr's or Delve's), sorted.  The status is the
# bracketed wait reason; a goroutine on a thread without one is running
# (grr says [running], Delve nothing).
goroutine_set() {
	sed -n 's/^\(.\) Goroutine \([0-9]*\) - .*$/&/p' "$1" | while IFS= read -r l; do
		local cur=${l:0:1} id th="" st=""
		id=$(sed 's/^. Goroutine \([0-9]*\) .*/\1/' <<<"$l")
		[[ $l =~ \(thread\ ([0-9]+)\) ]] && th=${BASH_REMATCH[1]}
		[[ $l =~ \[([^]]*)\]$ ]] && st=${BASH_REMATCH[1]}
		[ -z "$st" ] && [ -n "$th" ] && st=running
		echo "${cur/ /}$id $st ${th:+thread $th}"
	done | sort
}

# blocks FILE: the output after each "@@N" marker, one line per command
# (colours, error prefixes, Delve's pointer-address line and map order
# normalized as in t_delve.sh)
blocks() {
	local line head body
	sed 's/\x1b\[[0-9;]*m//g; s/^error: //; s/^Command failed: //; s/^[^ ]*\.init:[0-9]*: //' "$1" |
		awk '!(/^> / || /^$/ || /^Type .help. for list of commands/)' |
		marker_blocks '|' |
		sed 's/^([^|]*)(0x[0-9a-f]*)|//' |
		while IFS= read -r line; do
			if [[ $line =~ ^(map\[[^|]*\[)\|(.*)\|\]$ ]]; then
				head=${BASH_REMATCH[1]}
				body=$(tr '|' '\n' <<<"${BASH_REMATCH[2]}" | sort | paste -sd'|')
				line="$head|$body|]"
			fi
			printf '%s\n' "$line"
		done
}

# segments CORE: "vaddr memsz filesz flags md5" for each PT_LOAD (the md5
# of its bytes in the file, - when none)
segments() {
	readelf -lW "$1" | awk '$1 == "LOAD" { f = ""; for (i = 7; i < NF; i++) f = f $i; print $2, $3, $5, $6, f }' |
		while read -r off va fs ms fl; do
			local h=-
			[ $((fs)) -gt 0 ] && h=$(dd if="$1" bs=4096 skip=$((off / 4096)) count=$((fs / 4096)) 2>/dev/null | md5sum | cut -c1-32)
			echo "$va $ms $fs ${fl:-none} $h"
		done
}

# core_shape_problems CORE: what is wrong with the segments: one over
# grr's pages (syscall buffer, reserved range, clock page), a writable one
# not whole
core_shape_problems() {
	segments "$1" | while read -r va ms fs fl h; do
		local lo=$((va)) hi=$((va + ms))
		if [ "$lo" -lt $((0x400000)) ] && [ "$hi" -gt $((0x1c0000)) ]; then
			echo "segment $va+$ms over grr's pages"
		fi
		if [[ $fl == *W* ]] && [ "$fs" != "$ms" ]; then
			echo "writable segment $va not whole ($fs of $ms)"
		fi
	done
}

# dbg_merged NAME CMD...: dbg, with grr's errors among its output (in
# the order of the commands, as Delve prints them)
dbg_merged() {
	local name=$1
	shift
	local -a args=()
	local cmd
	for cmd in "$@"; do args+=(--ex "$cmd"); done
	timeout 300 "$GRR" replay --batch --quiet "${args[@]}" "$tr" >"$work/$name.out" 2>&1
	echo $? >"$work/$name.rc"
}

# dump_line NAME: the "Core file ... written" line of session NAME
dump_line() { grep -m1 '^Core file ' "$work/$1.out"; }
threads_in() { sed -n 's/.*: \([0-9]*\) threads\{0,1\}, .*/\1/p' <<<"$1"; }

# ------------------------------------------------------------ per build

EXPRS=(acct '*acct' acct.Owner scores owner label limit total counter locals args)

for tc in $E2E_TOOLCHAINS; do
	DLV=$DLV119
	{ [ "$tc" = go126 ] || [ "$tc" = go127 ]; } && DLV=$DLV126
	for mode in $E2E_MODES; do
		c=core/$tc-$mode
		e2e_want "$c" || continue
		build_and_record "$c" "$tc" "$mode" coredump || continue
		"$GRR" dump "$tr" >"$work/trace.txt"

		# at the first inspect: the core, grr's view of the same moment
		script=("break main.go:$L_INSPECT" continue "dump $work/insp.core" goroutines)
		i=0
		for e in "${EXPRS[@]}"; do
			script+=("print \"@@$i\"")
			case $e in locals | args) script+=("$e") ;; *) script+=("print $e") ;; esac
			i=$((i + 1))
		done
		dbg_merged insp "${script[@]}"
		line=$(dump_line insp)
		if [ -z "$line" ]; then
			e2e_fail "$c" "dump at main.inspect: $(show insp)"
			continue
		fi
		nthreads=$(threads_in "$line")
		cur=$(grep -m1 '^> main.inspect' "$work/insp.out")

		if e2e_want "$c/gdb"; then
			gdb_on "$bin" "$work/insp.core" insp bt "info threads" "info proc mappings"
			lwps=$(grep -oE '^[* ] +[0-9]+ +LWP [0-9]+' "$work/insp.gdb" | awk '{ print $NF }')
			first=$(grep -oE '^\* +1 +LWP [0-9]+' "$work/insp.gdb" | awk '{ print $NF }')
			bad=$(core_shape_problems "$work/insp.core")
			unknown=""
			for l in $lwps; do
				grep -q " tid $l " "$work/trace.txt" || unknown+="$l "
			done
			# the stopped goroutine's thread, as grr lists it
			gtid=$(sed -n 's/^\* Goroutine .*(thread \([0-9]*\)).*/\1/p' "$work/insp.out")
			if ! grep -qE '^#0 +(0x[0-9a-f]+ in )?main\.inspect ' "$work/insp.gdb" ||
				[ "$(wc -w <<<"$lwps")" != "$nthreads" ] || [ -n "$unknown" ] ||
				[[ $cur != *" goroutine 1 "* ]] || [ -z "$gtid" ] || [ "$first" != "$gtid" ] ||
				! grep -q "^ *0x400000 .* $bin\$" "$work/insp.gdb" || [ -n "$bad" ]; then
				e2e_fail "$c/gdb" "threads '$(tr '\n' ' ' <<<"$lwps")' (want $nthreads, first '$first', unknown '$unknown'); $bad; $(grep -m3 -E '^#|warning|rror' "$work/insp.gdb" | tr '\n' '|')"
			else
				e2e_pass "$c/gdb"
			fi
		fi

		if [ -z "$DLV" ]; then
			e2e_skip "$c/delve" "no Delve for $tc (Delve $DLV_VERSION could not be installed)"
		elif e2e_want "$c/goroutines" || e2e_want "$c/values"; then
			dg=$(awk '/^.[ ]Goroutine [0-9]+ - .*main\.recurse/ { print $2 }' "$work/insp.out" | head -1)
			dscript=(goroutines)
			i=0
			for e in "${EXPRS[@]}"; do
				dscript+=("print \"@@$i\"")
				case $e in locals | args) dscript+=("$e") ;; *) dscript+=("print $e") ;; esac
				i=$((i + 1))
			done
			dscript+=("print \"@@$i\"" "goroutine $dg bt")
			dlv_on "$bin" "$work/insp.core" insp "${dscript[@]}"
			if e2e_want "$c/goroutines"; then
				goroutine_set "$work/insp.out" >"$work/grr.grs"
				goroutine_set "$work/insp.dlv" >"$work/dlv.grs"
				if [ ! -s "$work/grr.grs" ] || ! cmp -s "$work/grr.grs" "$work/dlv.grs"; then
					e2e_fail "$c/goroutines" "grr '$(tr '\n' ',' <"$work/grr.grs")' delve '$(tr '\n' ',' <"$work/dlv.grs")' $(head -c 300 "$work/insp.dlv")"
				else
					e2e_pass "$c/goroutines"
				fi
			fi
			if e2e_want "$c/values"; then
				blocks "$work/insp.out" >"$work/grr.blocks"
				blocks "$work/insp.dlv" >"$work/dlv.blocks"
				bad=""
				i=0
				while IFS= read -r want && IFS= read -r got <&3; do
					[ "$i" -lt "${#EXPRS[@]}" ] || break
					[ "$want" = "$got" ] || bad+="[${EXPRS[$i]}: grr '$want' delve '$got'] "
					i=$((i + 1))
				done <"$work/grr.blocks" 3<"$work/dlv.blocks"
				nrec=$(tail -n 1 "$work/dlv.blocks" | grep -o 'in main\.recurse' | wc -l)
				if [ -n "$bad" ] || [ "$i" != "${#EXPRS[@]}" ] || [ "$nrec" != 5 ]; then
					e2e_fail "$c/values" "${bad:0:1500} (compared $i; recurse frames $nrec of goroutine '$dg')"
				else
					e2e_pass "$c/values"
				fi
			fi
		fi

		# forward, then again after reverse-continue from the second call
		if e2e_want "$c/reverse"; then
			GRR_CHECKPOINT_INTERVAL=0 dbg rev "break main.go:$L_INSPECT" continue "dump $work/fwd.core" \
				continue reverse-continue "dump $work/rev.core" when
			segments "$work/fwd.core" >"$work/fwd.segs" 2>/dev/null
			segments "$work/rev.core" >"$work/rev.segs" 2>/dev/null
			if [ "$(rc_of rev)" != 0 ] || [ "$(grep -c '^Core file ' "$work/rev.out")" != 2 ] ||
				! grep -q 'hits 1) event' <(tail -n 3 "$work/rev.out") ||
				! why=$(same_output "memory segments" "$work/fwd.segs" "$work/rev.segs"); then
				e2e_fail "$c/reverse" "${why:-}; $(show rev)"
			else
				e2e_pass "$c/reverse"
			fi
		fi

		# a thread blocked in read(2): its goroutine selected, its thread first
		if e2e_want "$c/syscall"; then
			ev=$(sed -n 's/^#\([0-9]*\) .* tid \([0-9]*\) syscall_enter read(.*, 7)$/\1 \2/p' "$work/trace.txt" | head -1)
			seq=${ev% *} rtid=${ev#* }
			why=""
			if [ -z "$ev" ]; then
				why="no read(..., 7) in the trace"
			else
				dbg sys1 "goto $((seq + 1))" goroutines
				rg=$(grep -E "^. Goroutine [0-9]+ - .*\(thread $rtid\)" "$work/sys1.out" | awk '{ print $2 }')
				dbg sys "goto $((seq + 1))" "goroutine $rg" "dump $work/sys.core"
				[ "$(rc_of sys)" = 0 ] && [ -n "$rg" ] || why="session: $(show sys)"
				gdb_on "$bin" "$work/sys.core" sys "info threads" bt
				grep -qE "^\* +1 +LWP $rtid " "$work/sys.gdb" || why+=" gdb: thread $rtid not first;"
				grep -qE '^#[0-9]+ .*main\.reader ' "$work/sys.gdb" || why+=" gdb: no main.reader in bt;"
				grep -qE '^#0 .*Syscall6? ' "$work/sys.gdb" || why+=" gdb: #0 not in Syscall6;"
				if [ -n "$DLV" ]; then
					dlv_on "$bin" "$work/sys.core" sys bt goroutines
					grep -qE ' in main\.reader$' "$work/sys.dlv" || why+=" delve: no main.reader in bt;"
					grep -qE "^\* Goroutine $rg .*\(thread $rtid\)" "$work/sys.dlv" ||
						why+=" delve: goroutine $rg not current on thread $rtid;"
				fi
			fi
			if [ -n "$why" ]; then
				e2e_fail "$c/syscall" "$why $(head -c 300 "$work/sys.gdb" 2>/dev/null | tr '\n' '|') $(head -c 300 "$work/sys.dlv" 2>/dev/null | tr '\n' '|')"
			else
				e2e_pass "$c/syscall"
			fi
		fi

		# the SIGUSR1 handler, and the end of the recording
		if e2e_want "$c/signal"; then
			dbg sig "break runtime.sigsend if s == 10" continue "dump $work/sig.core" continue \
				"dump $work/end.core"
			why=""
			[ "$(rc_of sig)" = 0 ] && [ "$(grep -c '^Core file ' "$work/sig.out")" = 2 ] ||
				why="session: $(show sig)"
			gdb_on "$bin" "$work/sig.core" sig bt
			gdb_on "$bin" "$work/end.core" end bt
			grep -qE '^#0 +(0x[0-9a-f]+ in )?runtime\.sigsend ' "$work/sig.gdb" || why+=" gdb: #0 not runtime.sigsend;"
			grep -qE '^#[0-9]+ .*runtime\.sighandler ' "$work/sig.gdb" || why+=" gdb: no sighandler;"
			grep -qE '^#0 +(0x[0-9a-f]+ in )?runtime\.exit' "$work/end.gdb" || why+=" gdb: end not in runtime.exit;"
			if [ -n "$DLV" ]; then
				dlv_on "$bin" "$work/sig.core" sig bt
				dlv_on "$bin" "$work/end.core" end bt goroutines
				grep -qE '^ *0 +0x[0-9a-f]+ in runtime\.sigsend$' "$work/sig.dlv" || why+=" delve: not in runtime.sigsend;"
				grep -qE '^ *0 +0x[0-9a-f]+ in runtime\.exit' "$work/end.dlv" || why+=" delve: end not in runtime.exit;"
				grep -qE '^\[[0-9]+ goroutines\]' "$work/end.dlv" || why+=" delve: no goroutines at the end;"
			fi
			if [ -n "$why" ]; then
				e2e_fail "$c/signal" "$why $(head -c 300 "$work/sig.gdb" | tr '\n' '|') $(head -c 300 "$work/sig.dlv" 2>/dev/null | tr '\n' '|')"
			else
				e2e_pass "$c/signal"
			fi
		fi

		# a packed trace whose executable is gone: FILE.exe beside the core
		if e2e_want "$c/packed"; then
			why=""
			prog=$work/prog-$tc-$mode
			cp "$bin" "$prog"
			rc=$(run_capture "$work/prec" "$GRR" record -o "$work/p.grr" -- "$prog")
			"$GRR" pack -o "$work/packed.grr" "$work/p.grr" >/dev/null 2>&1 || why="pack failed;"
			rm -f "$prog"
			saved=$tr
			tr=$work/packed.grr
			dbg packed "break main.go:$L_INSPECT" continue "dump $work/pk.core" goroutines
			tr=$saved
			[ "$rc" = 0 ] && [ "$(rc_of packed)" = 0 ] || why+=" session: $(show packed)"
			grep -q "written to $work/pk.core.exe (dlv core $work/pk.core.exe $work/pk.core)" "$work/packed.out" ||
				why+=" no FILE.exe line;"
			cmp -s "$bin" "$work/pk.core.exe" || why+=" pk.core.exe is not the executable;"
			gdb_on "$work/pk.core.exe" "$work/pk.core" pk bt "info proc mappings"
			grep -qE '^#0 +(0x[0-9a-f]+ in )?main\.inspect ' "$work/pk.gdb" || why+=" gdb: no main.inspect;"
			grep -q "^ *0x400000 .* $work/pk.core.exe\$" "$work/pk.gdb" || why+=" NT_FILE does not name pk.core.exe;"
			if [ -n "$DLV" ]; then
				dlv_on "$work/pk.core.exe" "$work/pk.core" pk goroutines
				goroutine_set "$work/packed.out" >"$work/grr.pgrs"
				goroutine_set "$work/pk.dlv" >"$work/dlv.pgrs"
				[ -s "$work/grr.pgrs" ] && cmp -s "$work/grr.pgrs" "$work/dlv.pgrs" ||
					why+=" delve goroutines differ: '$(tr '\n' ',' <"$work/dlv.pgrs")' grr '$(tr '\n' ',' <"$work/grr.pgrs")';"
			fi
			if [ -n "$why" ]; then
				e2e_fail "$c/packed" "$why"
			else
				e2e_pass "$c/packed"
			fi
			rm -f "$work/pk.core" "$work/pk.core.exe" "$work/p.grr" "$work/packed.grr"
		fi
		rm -f "$work"/*.core
	done
done

# ------------------------------------------------------------ errors

# no_leftovers DIR: files named *.tmp-* left in DIR
no_leftovers() { find "$1" -maxdepth 1 -name '*.tmp-*' | head -3; }

if e2e_want core/errors; then
	c=core/errors
	tc=${E2E_TOOLCHAINS%% *}
	if bin=$(build_program "$tc" opt coredump); then
		tr=$work/err.grr
		rc=$(run_capture "$work/erec" "$GRR" record -o "$tr" -- "$bin")
		mkdir -p "$work/ro" "$work/full"
		why=""
		full=no
		mount -t tmpfs -o size=256k tmpfs "$work/full" 2>/dev/null && full=yes
		dbg errs "break main.go:$L_INSPECT" continue "dump $work/no/such/dir/x.core" \
			"dump /proc/x.core" "dump $work/ro" "dump" "dump $work/full/x.core" "dump $work/ok.core"
		[ "$full" = yes ] && { [ -z "$(ls -A "$work/full")" ] || why+=" files left on the full disk: $(ls "$work/full");"; }
		[ "$full" = yes ] && umount "$work/full"
		[ "$rc" = 0 ] || why+=" record: $(describe_rc "$rc");"
		[ "$(rc_of errs)" = 1 ] || why+=" status $(rc_of errs), want 1;"
		want=("$work/no/such/dir/x.core: cannot create: No such file or directory"
			"/proc/x.core: cannot create: "
			"$work/ro: is a directory"
			"usage: dump FILE")
		[ "$full" = yes ] && want+=("$work/full/x.core: cannot write the core file: No space left on device")
		for w in "${want[@]}"; do
			grep -qF "error: $w" "$work/errs.err" || why+=" no 'error: $w';"
		done
		[ "$(grep -c . "$work/errs.err")" = "${#want[@]}" ] || why+=" $(grep -c . "$work/errs.err") error lines, want ${#want[@]};"
		[ -s "$work/ok.core" ] || why+=" the good dump after the errors is missing;"
		[ -z "$(no_leftovers "$work")" ] || why+=" temporary files left: $(no_leftovers "$work");"
		[ "$full" = yes ] || e2e_log "no tmpfs mount here: the full-disk case is not run"

		# a replay that diverged: no process to write
		TAMPER=$E2E_ROOT/$BUILD/tests/tamper
		case $BUILD in /*) TAMPER=$BUILD/tests/tamper ;; esac
		[ -x "$TAMPER" ] || make -s -C "$E2E_ROOT" "$BUILD/tests/tamper" >/dev/null 2>&1 || true
		ev=$("$GRR" dump "$tr" | sed -n 's/^#\([0-9]*\) .* syscall_exit pipe2 = 0.*/\1/p' | head -1)
		if [ -x "$TAMPER" ] && [ -n "$ev" ] &&
			"$TAMPER" "$tr" "$work/bad.grr" --event "$ev" --ret -24 2>/dev/null; then
			tr=$work/bad.grr
			dbg div continue "dump $work/div.core"
			grep -q '^error: no process at this moment to write a core file of' "$work/div.err" ||
				why+=" after a divergence: $(show div);"
			[ ! -e "$work/div.core" ] || why+=" div.core written;"
		else
			why+=" could not tamper with the pipe2 result (event '$ev');"
		fi
		if [ -n "$why" ]; then
			e2e_fail "$c" "$why $(head -c 600 "$work/errs.err" | tr '\n' '|')"
		else
			e2e_pass "$c"
		fi
	else
		e2e_fail "$c" "build failed: $(tail_of "$E2E_WORK/$tc-opt/coredump.log")"
	fi
fi
[ "$E2E_NFAIL" = 0 ]
