#!/usr/bin/env bash
# t_delve.sh - grr's rendering against Delve's: the same expressions at the
# same breakpoint of tests/programs/govalues, printed by Delve on a live run
# and by grr on a replay of a recording of the same binary, must be equal.
# Debian's delve (1.20) is compared on the go119 builds, and Delve 1.27
# (built with `go install`) on the go126 and go127 builds.  Calls (`call add(2, 3)`, a func value, an argument from a local)
# are compared too: Delve runs them in the live process, grr in a copy of
# the replay.  Differences on purpose (docs/expressions.md): `print CHAN` shows
# `chan T len/cap` where Delve dumps runtime.hchan, so channels are left out.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_setup delve || exit 1
SRC=$E2E_PROGRAMS_DIR/govalues/main.go
L_INSPECT=$(grep -n '// @inspect$' "$SRC" | cut -d: -f1)
DLV119=${DLV:-$(command -v dlv)}
# Delve for Go 1.26: DLV126, else built with `go install` (network needed;
# when that fails the go126 cases are reported as skipped)
DLV_VERSION=v1.27.2
DLV126=${DLV126:-}
if [ -z "$DLV126" ] && [[ " $E2E_TOOLCHAINS " == *" go126 "* || " $E2E_TOOLCHAINS " == *" go127 "* ]]; then
	dlvdir=$E2E_WORK/dlv-$DLV_VERSION
	if [ -x "$dlvdir/bin/dlv" ] ||
		GOPATH=$dlvdir GOCACHE=$E2E_WORK/gocache GOFLAGS=-mod=mod GOTOOLCHAIN=local \
			timeout 600 "$(go_for go126)" install "github.com/go-delve/delve/cmd/dlv@$DLV_VERSION" \
			>"$work/dlv-install.log" 2>&1; then
		DLV126=$dlvdir/bin/dlv
	else
		e2e_skip delve/go126 "could not install Delve $DLV_VERSION for Go 1.26 (no network?): $(tail -n 1 "$work/dlv-install.log")"
	fi
fi

EXPRS=(counter greeting ratio small flag i8 u16 ints arr main.acct nilAcct byName byID
	bigMap err1 nilErr anyInt anyStr shape temp color names bs emptySl fn deep long
	longStr acct acct.Owner '*acct' acct.Tags local label limit total 'len(long)'
	'long[42]' 'byName["b"]' 'byID[3]' 'greeting[1]' 'acct.Balance * 2' 'limit == 0'
	'whatis temp' 'whatis shape' locals args)
# Delve 1.20 refuses to call optimized functions under the register ABI;
# grr calls them (docs/calls.md), so calls are compared on -N -l builds
CALLS=('call add(2, 3)' 'call fn(4, 5)' 'call add(limit, 7)')
BASE=("${EXPRS[@]}")

# script FILE: a marker before each command, so outputs can be told apart
script() {
	local i=0 e
	echo "break main.go:$L_INSPECT"
	echo continue
	for e in "${EXPRS[@]}"; do
		echo "print \"@@$i\""
		case $e in whatis* | locals | args | call*) echo "$e" ;; *) echo "print $e" ;; esac
		i=$((i + 1))
	done
}

# blocks FILE: the output after each marker, one line per expression
# (multi-line values joined with '|'; ANSI colours removed).  What differs
# between a live run and a recording of another run is masked: heap
# addresses, the order of map entries (the hash seed is random), and how
# each tool prefixes an error.  Delve >= 1.21 (and grr) print a pointer's
# address on a line before its value; Delve 1.20 does not: that line is
# dropped.
blocks() {
	local line head body
	sed 's/\x1b\[[0-9;]*m//g; s/^error: //; s/^[^ ]*init\.txt:[0-9]*: //' "$1" |
		awk '!(/^> / || /^ +[0-9]+:\t/ || /^=> +[0-9]+:\t/ || /^$/)' |   # Delve after a call
		marker_blocks '|' |
		sed 's/0x[0-9a-f]\{9,\}/0xADDR/g; s/^([^|]*)(0xADDR)|//' |
		while IFS= read -r line; do
			if [[ $line =~ ^(map\[[^|]*\[)\|(.*)\|\]$ ]]; then
				head=${BASH_REMATCH[1]}
				body=$(tr '|' '\n' <<<"${BASH_REMATCH[2]}" | sort | paste -sd'|')
				line="$head|$body|]"
			fi
			printf '%s\n' "$line"
		done
}

for tc in $E2E_TOOLCHAINS; do
	DLV=$DLV119
	[ "$tc" = go126 ] || [ "$tc" = go127 ] && DLV=$DLV126
	[ -n "$DLV" ] || [ "$tc" = go119 ] || continue
	for mode in $E2E_MODES; do
		c=delve/$tc-$mode
		e2e_want "$c" || continue
		if [ -z "$DLV" ]; then
			e2e_fail "$c" "dlv is not installed (tools/deps.sh installs Debian's delve)"
			continue
		fi
		if ! bin=$(build_program "$tc" "$mode" govalues); then
			e2e_fail "$c" "build failed: $(tail_of "$E2E_WORK/$tc-$mode/govalues.log")"
			continue
		fi
		EXPRS=("${BASE[@]}")
		[ "$mode" = debug ] && EXPRS+=("${CALLS[@]}")
		script >"$work/init.txt"
		echo exit >>"$work/init.txt"
		timeout 120 "$DLV" exec "$bin" --init "$work/init.txt" \
			--allow-non-terminal-interactive=true </dev/null >"$work/dlv.out" 2>&1
		tr=$work/$tc-$mode.grr
		rc=$(run_capture "$work/rec" "$GRR" record -o "$tr" -- "$bin")
		if [ "$rc" != 0 ]; then
			e2e_fail "$c" "record: $(describe_rc "$rc")$(stderr_hint "$work/rec.err")"
			continue
		fi
		timeout 300 "$GRR" replay --batch --quiet -x "$work/init.txt" "$tr" \
			>"$work/grr.out" 2>&1
		blocks "$work/dlv.out" >"$work/dlv.blocks"
		blocks "$work/grr.out" >"$work/grr.blocks"
		if [ "$(wc -l <"$work/dlv.blocks")" != "${#EXPRS[@]}" ]; then
			e2e_fail "$c" "Delve printed $(wc -l <"$work/dlv.blocks") of ${#EXPRS[@]} values: $(tail -c 300 "$work/dlv.out")"
			continue
		fi
		bad=""
		i=0
		while IFS= read -r want && IFS= read -r got <&3; do
			[ "$want" = "$got" ] || bad+="[${EXPRS[$i]}: delve '$want' grr '$got'] "
			i=$((i + 1))
		done <"$work/dlv.blocks" 3<"$work/grr.blocks"
		if [ -n "$bad" ] || [ "$i" != "${#EXPRS[@]}" ]; then
			e2e_fail "$c" "${bad:0:2000} (compared $i)"
		else
			e2e_pass "$c"
		fi
	done
done
[ "$E2E_NFAIL" = 0 ]
