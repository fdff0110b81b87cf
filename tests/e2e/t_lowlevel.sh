#!/usr/bin/env bash
# t_lowlevel.sh - the debugger's low-level inspection commands (regs,
# examinemem/x, disassemble, list) on tests/programs/ledger, for each
# toolchain and build mode: at the third stop in main.apply, regs' Rip is
# the breakpoint's address; x of main.counter shows the bytes of 2 (two
# posts so far); disassemble marks the pc with '=>' and the caller's frame
# names its call of main.apply; list marks the breakpoint's line and shows
# its source; a parked goroutine has only its saved pc/sp/bp; an unmapped
# address is one error line and the session goes on.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_setup lowlevel || exit 1
SRC=$E2E_PROGRAMS_DIR/ledger/main.go
line_of() { grep -n "// @$1\$" "$SRC" | cut -d: -f1; }
L_APPLY=$(line_of apply)
L_CORRUPT=$(line_of corrupt)

# the address `break` reported: "Breakpoint 1 set at 0x49e140 for ..."
bp_addr() { sed -n 's/^Breakpoint 1 set at \(0x[0-9a-f]*\) .*/\1/p' "$work/$1.out" | head -1; }

for tc in $E2E_TOOLCHAINS; do
	for mode in $E2E_MODES; do
		c=lowlevel/$tc-$mode
		e2e_want "$c" || continue
		build_and_record "$c" "$tc" "$mode" ledger || continue

		# regs at the breakpoint: Rip is its address; -a adds SSE
		if e2e_want "$c/regs"; then
			dbg regs "break main.apply" c c c regs "regs -a"
			bp=$(bp_addr regs)
			rip=$(grep -m1 -E '^ *Rip = ' "$work/regs.out" | awk '{print $3}')
			if [ "$(rc_of regs)" != 0 ] || [ -z "$bp" ] ||
				[ "$((rip))" != "$((bp))" ] ||
				! grep -qE '^ *Rsp = 0x[0-9a-f]{16}$' "$work/regs.out" ||
				! grep -qE '^ *Rflags = 0x[0-9a-f]{16}	\[.*IOPL=[0-3]\]$' "$work/regs.out" ||
				! grep -qE '^ *XMM15 = 0x[0-9a-f]{32}$' "$work/regs.out"; then
				e2e_fail "$c/regs" "break at '$bp', Rip '$rip'; $(show regs)"
			else
				e2e_pass "$c/regs"
			fi
		fi

		# x: main.counter is 2 at the third call (two posts so far), in
		# Delve's and gdb's forms; $rsp of frame 0 is readable
		if e2e_want "$c/examine"; then
			dbg x "break main.apply" c c c "x -count 8 &main.counter" \
				"examinemem -fmt dec -size 8 main.counter" "x /2xb main.counter" \
				'x -count 16 -size 8 $rsp' 'x -count 4 -size 8 $sp+8'
			if [ "$(rc_of x)" != 0 ] ||
				! grep -qE '^0x[0-9a-f]+:   0x02   0x00   0x00   0x00   0x00   0x00   0x00   0x00$' "$work/x.out" ||
				! grep -qE '^0x[0-9a-f]+: +2$' "$work/x.out" ||
				! grep -qE '^0x[0-9a-f]+:   0x02   0x00$' "$work/x.out" ||
				[ "$(grep -cE '^0x[0-9a-f]+:(   0x[0-9a-f]{16}){8}$' "$work/x.out")" != 2 ] ||
				[ "$(grep -cE '^0x[0-9a-f]+:(   0x[0-9a-f]{16}){4}$' "$work/x.out")" != 1 ]; then
				e2e_fail "$c/examine" "$(show x)"
			else
				e2e_pass "$c/examine"
			fi
		fi

		# disassemble: '=>' on the breakpoint's address; the caller's
		# frame shows its call of main.apply, symbolized
		if e2e_want "$c/disassemble"; then
			dbg dis "break main.apply" c disassemble "frame 1 disassemble" \
				"disass -l main.apply" 'disassemble -a $pc $pc+8'
			bp=$(bp_addr dis)
			marks=$(grep -c '^=>' "$work/dis.out")
			if [ "$(rc_of dis)" != 0 ] || [ -z "$bp" ] ||
				! grep -q '^TEXT main.apply(SB) .*ledger/main.go$' "$work/dis.out" ||
				! grep -qE "^=> +main.go:[0-9]+ +$bp " "$work/dis.out" ||
				! grep -q '^TEXT main.main(SB) ' "$work/dis.out" ||
				! grep -qE '  call \$main\.apply$' "$work/dis.out" ||
				[ "$marks" != 4 ]; then
				e2e_fail "$c/disassemble" "break at '$bp', $marks marks; $(show dis)"
			else
				e2e_pass "$c/disassemble"
			fi
		fi

		# list: the breakpoint's line, marked, with its source text; a
		# FILE:LINE elsewhere shows that line's text
		if e2e_want "$c/list"; then
			dbg list "break main.apply" c list "list main.go:$L_CORRUPT" "ls $L_APPLY"
			if [ "$(rc_of list)" != 0 ] ||
				! grep -qE "^Showing /.*ledger/main.go:$L_APPLY \(PC: 0x[0-9a-f]+\)$" "$work/list.out" ||
				[ "$(grep -cE "^=> +$L_APPLY:	.*l\.post\(a, amount\) // @apply$" "$work/list.out")" != 2 ] ||
				! grep -qE "^ +$L_CORRUPT:	.*counter = -7 // @corrupt$" "$work/list.out" ||
				! grep -qE "^ +$((L_APPLY - 5)):	" "$work/list.out" ||
				! grep -qE "^ +$((L_APPLY + 5)):	" "$work/list.out"; then
				e2e_fail "$c/list" "line $L_APPLY; $(show list)"
			else
				e2e_pass "$c/list"
			fi
		fi

		# a parked goroutine: only its saved pc, sp and bp; errors are one
		# line each and the session goes on
		if e2e_want "$c/errors"; then
			dbg err "break main.apply" c "goroutine 2" regs 'x $rax' "goroutine 1" \
				"x -count 4 0x10" "x -size 3 main.counter" "list nosuch.go:3" \
				"x -count 1 -size 8 main.counter" when
			nerr=$(wc -l <"$work/err.err")
			if [ "$(rc_of err)" != 1 ] || [ "$nerr" != 4 ] ||
				! grep -q '^(goroutine 2 is not running: only its saved pc, sp and bp are known)$' "$work/err.out" ||
				! grep -q '^error: register rax is not known here' "$work/err.err" ||
				! grep -q '^error: cannot read memory at 0x10$' "$work/err.err" ||
				! grep -qE '^0x[0-9a-f]+:   0x0000000000000000$' "$work/err.out" ||
				! grep -q '^event [0-9]* .*main.apply' "$work/err.out"; then
				e2e_fail "$c/errors" "$nerr error lines; $(show err)"
			else
				e2e_pass "$c/errors"
			fi
		fi
	done
done
[ "$E2E_NFAIL" = 0 ]
