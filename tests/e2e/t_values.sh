#!/usr/bin/env bash
# t_values.sh - Go values at recorded moments, on tests/programs/govalues for
# each toolchain and build mode.  The program prints its own view of its
# package variables in Delve's layout ("name = value"); `print name` at a
# breakpoint must print the same.  At each stop in inspect, args and locals
# equal what the program printed for that call; whatis names types; a
# condition on a local string selects one call; slicing, type assertions
# and numeric conversions work; a watchpoint on a struct
# field found by reverse-continue stops at the line that wrote it; unknown
# names, bad expressions and nil dereferences are one-line errors and the
# session goes on.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_setup values || exit 1
SRC=$E2E_PROGRAMS_DIR/govalues/main.go
line_of() { grep -n "// @$1\$" "$SRC" | cut -d: -f1; }
L_INSPECT=$(line_of inspect)
L_SETBAL=$(line_of setbal)


# one_line_blocks FILE: what each `print` after a `print "@@N"` marker
# printed, one line each: print's multi-line layout (Delve's) joined into
# the one-line layout the program printed its values in.
one_line_blocks() {
	marker_blocks $'\001' <"$1" |
		perl -pe 's/,\001\t*/, /g; s/([\[{ ])\001\t*/$1/g; s/\001\t*([\]}])/$1/g; s/,}/}/g'
}

# sort_map LINE: the entries of a printed map sorted (map order is random)
sort_map() {
	local line=$1 head body
	if [[ $line =~ ^(.*map\[[^]]*\][^ ]* \[)(.*)\]$ ]]; then
		head=${BASH_REMATCH[1]}
		body=$(printf '%s' "${BASH_REMATCH[2]}" | sed 's/, $//; s/, /\n/g' | sort | paste -sd'|')
		echo "$head$body]"
	else
		echo "$line"
	fi
}

for tc in $E2E_TOOLCHAINS; do
	for mode in $E2E_MODES; do
		c=values/$tc-$mode
		e2e_want "$c" || continue
		build_and_record "$c" "$tc" "$mode" govalues || continue

		# print EXPR for each "EXPR = value" line the program printed
		if e2e_want "$c/print"; then
			mapfile -t want < <(grep ' = ' "$rec")
			cmds=("break main.printed" c)
			for i in "${!want[@]}"; do cmds+=("print \"@@$i\"" "print ${want[$i]%% = *}"); done
			dbg print "${cmds[@]}"
			mapfile -t got < <(one_line_blocks "$work/print.out")
			bad=""
			for i in "${!want[@]}"; do
				expr=${want[$i]%% = *}
				exp=$(sort_map "${want[$i]#* = }")
				act=$(sort_map "${got[$i]:-}")
				[ "$exp" = "$act" ] || bad+="[$expr: want '$exp' got '$act'] "
			done
			if [ "$(rc_of print)" != 0 ] || [ -n "$bad" ]; then
				e2e_fail "$c/print" "${bad:0:1500}; $(show print)"
			else
				e2e_pass "$c/print"
			fi
		fi

		# args and locals at each call of inspect, against its own line
		# "inspect LABEL LIMIT TOTAL LEN(local) WHO"; optimized code keeps
		# no copy of `local` and `who` at that line (the compiler folded
		# len(local) and who.First is in a register it reused): only -N -l
		if e2e_want "$c/locals"; then
			opt_only=()
			[ "$mode" = debug ] && opt_only=("print len(local)" "print who.First" "print local[1]")
			dbg locals "break main.go:$L_INSPECT" c args "print total" c c "print label" \
				"print limit" "print total" "print acct.Owner.Age" "${opt_only[@]}"
			l1=$(grep '^inspect ' "$rec" | sed -n 1p)
			l3=$(grep '^inspect ' "$rec" | sed -n 3p)
			read -r _ lab1 lim1 tot1 len1 who1 <<<"$l1"
			read -r _ lab3 lim3 tot3 _ _ <<<"$l3"
			exp="limit = $lim1|label = \"$lab1\"|$tot1|\"$lab3\"|$lim3|$tot3|40"
			[ "$mode" = debug ] && exp+="|$len1|\"$who1\"|\"q\""
			act=$(grep -v '^> \|^Replaying \|^Breakpoint \|^acct = \|^~r0 = ' "$work/locals.out" | paste -sd'|')
			if [ "$(rc_of locals)" != 0 ] || [ "$act" != "$exp" ] ||
				! grep -q '^acct = (\*main\.Account)(0x[0-9a-f]*)$\|^acct = \*main\.Account ' "$work/locals.out"; then
				e2e_fail "$c/locals" "want '$exp' got '$act'; $(show locals)"
			else
				e2e_pass "$c/locals"
			fi
		fi

		# whatis, conditions on locals, errors
		if e2e_want "$c/whatis_condition"; then
			dbg wc "whatis main.temp" "whatis shape" "whatis acct.Owner" \
				"break main.go:$L_INSPECT if label == \"call2\" && acct.Owner.Age == 40" c \
				"print limit" "print nosuch" "print acct." "print *nilAcct" "print long[100]" \
				"print limit + 1" "print long[98:]" "print shape.(main.Square).Side" \
				"print greeting[1:3]" "print float64(limit) / 4" "print int8(300)"
			got=$(grep -v '^> \|^Replaying \|^Breakpoint ' "$work/wc.out" | paste -sd'|')
			exp="main.Celsius|main.Shape|Concrete type: main.Square|*main.Person|2|3|[]int len: 2, cap: 2, [98,99]|3|\"i \"|0.5|44"
			if [ "$(rc_of wc)" != 1 ] || [ "$got" != "$exp" ] ||
				! grep -q "(breakpoint 1, hits 1)" "$work/wc.out" ||
				[ "$(wc -l <"$work/wc.err")" != 4 ] ||
				! grep -q 'nosuch' "$work/wc.err" ||
				! grep -q 'nil pointer' "$work/wc.err" ||
				! grep -q 'out of bounds' "$work/wc.err"; then
				e2e_fail "$c/whatis_condition" "got '$got'; $(show wc)"
			else
				e2e_pass "$c/whatis_condition"
			fi
		fi

		# a watchpoint on a struct field, backward: the last write (the
		# stop is right after the writing instruction: its line or the next)
		if e2e_want "$c/watch_field"; then
			dbg wf "break main.finished" c "watch main.acct.Balance" rc "print acct.Balance" rc \
				"print acct.Balance"
			s=$(grep '^> ' "$work/wf.out" | sed -n 3p)
			vals=$(grep -v '^> \|^Replaying \|^Breakpoint \|^Watchpoint ' "$work/wf.out" |
				grep -v '^ *\(old\|new\)' | paste -sd' ')
			if [ "$(rc_of wf)" != 0 ] ||
				! [[ $s =~ main\.go:($L_SETBAL|$((L_SETBAL + 1)))\ goroutine\ 1\ \(watchpoint\ 2 ]] ||
				[ "$vals" != "30 20" ]; then
				e2e_fail "$c/watch_field" "stop '$s' values '$vals'; $(show wf)"
			else
				e2e_pass "$c/watch_field"
			fi
		fi
	done
done
[ "$E2E_NFAIL" = 0 ]
