# lib.sh - shared helpers for the end-to-end tests (sourced by t_*.sh).
#
# Environment (run.sh sets the first three; defaults allow running a t_*.sh
# by hand from the repository root):
#   GRR              the grr binary (absolute path), default $PWD/bin/grr
#   BUILD            the C build directory, default build/release
#   E2E_WORK         scratch space, default tests/e2e/work (git-ignored)
#   E2E_RESULTS      file receiving one result line per case (run.sh counts
#                    them); default: none, results only go to stdout
#   E2E_FILTER       only run cases whose name contains this substring
#   E2E_TOOLCHAINS   toolchains to test, default "go126 go127 go119"
#   E2E_MODES        build modes to test, default "opt debug"
#   E2E_TIMEOUT      seconds allowed per program run, default 120
#
# Result protocol: each case ends with exactly one call of e2e_pass or
# e2e_fail, which print "PASS <case>" or "FAIL <case>: <reason>".

E2E_ROOT=${E2E_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
GRR=${GRR:-$E2E_ROOT/bin/grr}
BUILD=${BUILD:-build/release}
E2E_WORK=${E2E_WORK:-tests/e2e/work}
case $E2E_WORK in /*) ;; *) E2E_WORK=$E2E_ROOT/$E2E_WORK ;; esac
E2E_TOOLCHAINS=${E2E_TOOLCHAINS:-go126 go127 go119}
E2E_MODES=${E2E_MODES:-opt debug}
E2E_TIMEOUT=${E2E_TIMEOUT:-120}
E2E_FILTER=${E2E_FILTER:-}
E2E_PROGRAMS_DIR=$E2E_ROOT/tests/programs
mkdir -p "$E2E_WORK"
# grr replay reads $XDG_CONFIG_HOME/grr/config (config -save): the tests
# use one of their own (the one go_env gives the Go command), not the user's.
export XDG_CONFIG_HOME=$E2E_WORK/xdg

# The tests run without the environment variables whose names look secret
# (a CI runner's tokens): grr record would withhold them and say so on
# stderr, which the tests that compare a recording's stderr with its
# replay's would see.  (The rule is recorder/env_screen.c's; t_secrets.sh
# sets its own.)
for _v in $(compgen -e); do
	case ${_v^^} in
	*TOKEN* | *SECRET* | *PASSWORD* | *PASSWD* | *PASSPHRASE* | *CREDENTIAL* | *PRIVATE* | \
		*API_KEY* | *APIKEY* | *ACCESS_KEY* | *AUTH* | *COOKIE* | *SESSION* | *JWT* | *_KEY | *_DSN | \
		DATABASE_URL | MYSQL_PWD | SLACK_WEBHOOK_URL | SSHPASS)
		unset "$_v" ;;
	esac
done
unset _v

# ---------------------------------------------------------------- results

E2E_NPASS=0
E2E_NFAIL=0

e2e_pass() { # CASE
	E2E_NPASS=$((E2E_NPASS + 1))
	known_failure "$1" >/dev/null && echo "XPASS $1: listed in known-failures.txt; remove it"
	echo "PASS $1"
	[ -n "${E2E_RESULTS:-}" ] && echo "PASS $1" >>"$E2E_RESULTS"
	return 0
}

# known_failure CASE: prints the tracked reason if CASE is listed in
# tests/e2e/known-failures.txt.
known_failure() {
	local f
	f=$(dirname "${BASH_SOURCE[0]}")/known-failures.txt
	[ -f "$f" ] || return 1
	awk -F' [|] ' -v c="$1" '$1 == c { print $2; found = 1 } END { exit !found }' "$f"
}

# e2e_skip CASE REASON: a case that cannot run here (a missing tool that
# needs the network, say): counted as skipped, with its reason.
e2e_skip() {
	echo "XFAIL $1: not run: $2"
	[ -n "${E2E_RESULTS:-}" ] && echo "XFAIL $1: not run: $2" >>"$E2E_RESULTS"
	return 0
}

e2e_fail() { # CASE REASON
	local reason=${2//$'\n'/ | } known
	if known=$(known_failure "$1"); then
		echo "XFAIL $1: $reason (known: $known)"
		[ -n "${E2E_RESULTS:-}" ] && echo "XFAIL $1: $reason" >>"$E2E_RESULTS"
		return 0
	fi
	E2E_NFAIL=$((E2E_NFAIL + 1))
	echo "FAIL $1: $reason"
	[ -n "${E2E_RESULTS:-}" ] && echo "FAIL $1: $reason" >>"$E2E_RESULTS"
	return 0
}

# e2e_want CASE: true if CASE is selected by E2E_FILTER.
e2e_want() {
	[ -z "$E2E_FILTER" ] || [[ $1 == *"$E2E_FILTER"* ]]
}

# e2e_log MSG: progress on stderr (not counted, not compared).
e2e_log() { echo "  .. $*" >&2; }

# ------------------------------------------------------------ toolchains

go_for() { # TOOLCHAIN -> path of its go command
	case $1 in
	go126) echo /usr/local/go/bin/go ;;
	go127) go127_path ;;
	go119) echo /usr/lib/go-1.19/bin/go ;;
	*) echo "lib.sh: unknown toolchain '$1' (go126, go127, go119)" >&2; return 1 ;;
	esac
}

# go127_path: the go command of Go 1.27 (GOTOOLCHAIN=go1.27.3, which the Go
# command fetches from the module proxy into the module cache the first
# time; tools/deps.sh does that).  Prints its path, or a missing one.
go127_path() {
	local root
	root=$(GOTOOLCHAIN=go1.27.3 GOFLAGS= /usr/local/go/bin/go env GOROOT 2>/dev/null)
	echo "${root:-/nonexistent/go1.27.3}/bin/go"
}

gcflags_for() { # MODE -> -gcflags argument (empty for opt and cgo)
	case $1 in
	opt | cgo) echo "" ;;
	debug) echo "-gcflags=all=-N -l" ;;
	*) echo "lib.sh: unknown mode '$1' (opt, debug, cgo)" >&2; return 1 ;;
	esac
}

# go_env: run a command with the Go environment confined to E2E_WORK;
# cgo is off (static binaries) unless E2E_CGO=1.
go_env() {
	env GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED="${E2E_CGO:-0}" GOENV=off \
		GOCACHE="$E2E_WORK/gocache" GOPATH="$E2E_WORK/gopath" \
		GOMODCACHE="$E2E_WORK/gopath/pkg/mod" \
		XDG_CONFIG_HOME="$E2E_WORK/xdg" GOPROXY=off \
		"$@"
}

# is_test_package NAME: tests/programs/NAME has tests and no main program.
is_test_package() {
	compgen -G "$E2E_PROGRAMS_DIR/$1/*_test.go" >/dev/null &&
		! grep -qs '^package main' "$E2E_PROGRAMS_DIR/$1"/*.go
}

# build_program TOOLCHAIN MODE NAME: builds tests/programs/NAME (a test
# package is built with `go test -c`; MODE opt, debug (-N -l) or cgo:
# optimized with cgo on, so a program that imports net or C is linked
# dynamically against glibc) into
# $E2E_WORK/TOOLCHAIN-MODE/NAME, unless that binary is newer than every
# source file of the program and go.mod.  Prints the binary's path.  On
# failure returns 1 with the compiler output in $E2E_WORK/TOOLCHAIN-MODE/NAME.log.
build_program() {
	local tc=$1 mode=$2 name=$3 go gcflags out src
	out=$E2E_WORK/$tc-$mode/$name
	src=$E2E_PROGRAMS_DIR/$name
	mkdir -p "$(dirname "$out")"
	go=$(go_for "$tc" 2>"$out.log") || return 1
	gcflags=$(gcflags_for "$mode" 2>"$out.log") || return 1
	if [ ! -d "$src" ]; then
		echo "no such program: tests/programs/$name" >"$out.log"
		return 1
	fi
	if [ -x "$out" ] &&
		[ -z "$(find "$src" "$E2E_PROGRAMS_DIR/go.mod" -newer "$out" -print -quit)" ]; then
		echo "$out"
		return 0
	fi
	if [ ! -x "$go" ]; then
		echo "toolchain $tc not installed ($go missing; run tools/deps.sh)" >"$out.log"
		return 1
	fi
	local -a cmd
	if is_test_package "$name"; then
		cmd=("$go" test -c -o "$out.tmp")
	else
		cmd=("$go" build -o "$out.tmp")
	fi
	[ -n "$gcflags" ] && cmd+=("$gcflags")
	cmd+=("./$name")
	local cgo=0
	[ "$mode" = cgo ] && cgo=1
	if (cd "$E2E_PROGRAMS_DIR" && E2E_CGO=$cgo go_env "${cmd[@]}") >"$out.log" 2>&1; then
		mv -f "$out.tmp" "$out"
		echo "$out"
		return 0
	fi
	rm -f "$out.tmp"
	return 1
}

# --------------------------------------------------------------- running

# run_capture PREFIX CMD...: runs CMD with stdin from /dev/null, stdout to
# PREFIX.out, stderr to PREFIX.err, killed after E2E_TIMEOUT seconds (and
# SIGKILLed 5 s later).  Writes the exit status to PREFIX.rc and prints it:
# 124 on timeout, 128+N when killed by signal N.
run_capture() {
	local prefix=$1 rc
	shift
	timeout -k 5 "$E2E_TIMEOUT" "$@" </dev/null >"$prefix.out" 2>"$prefix.err"
	rc=$?
	echo "$rc" >"$prefix.rc"
	echo "$rc"
}

# describe_rc RC: a human description of an exit status.
describe_rc() {
	case $1 in
	124) echo "timed out after ${E2E_TIMEOUT}s" ;;
	137) echo "exit 137 (SIGKILL; timeout?)" ;;
	70) echo "exit 70 (divergence detected)" ;;
	*) if [ "$1" -gt 128 ] 2>/dev/null; then
		echo "exit $1 (signal $(($1 - 128)): $(kill -l $(($1 - 128)) 2>/dev/null))"
	else
		echo "exit $1"
	fi ;;
	esac
}

# tail_of FILE: the last non-empty line of FILE, shortened (for reasons).
tail_of() {
	local l
	l=$(grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1)
	[ ${#l} -gt 160 ] && l="${l:0:157}..."
	printf '%s' "$l"
}

# stderr_hint FILE: "; stderr: <last line>" if FILE has any, else nothing.
stderr_hint() {
	local l
	l=$(tail_of "$1")
	[ -n "$l" ] && printf '; stderr: %s' "$l"
	return 0
}

# same_output WHAT EXPECTED ACTUAL: returns 0 if the files are identical,
# else prints a short reason naming WHAT and the first differing line.
same_output() {
	local what=$1 exp=$2 act=$3
	cmp -s "$exp" "$act" && return 0
	local el al n
	n=$(cmp "$exp" "$act" 2>/dev/null | sed -n 's/.* line \([0-9]*\).*/\1/p')
	if [ -z "$n" ]; then # one is a prefix of the other
		echo "$what differs: expected $(wc -c <"$exp") bytes, got $(wc -c <"$act")"
		return 1
	fi
	el=$(sed -n "${n}p" "$exp" | cut -c1-70)
	al=$(sed -n "${n}p" "$act" | cut -c1-70)
	echo "$what differs at line $n: expected '$el', got '$al'"
	return 1
}

# grr_available: true if $GRR is an executable file.
grr_available() { [ -x "$GRR" ]; }

# event_count TRACE KIND: how many KIND events `grr info` counts in TRACE
# (empty when there are none).
event_count() {
	"$GRR" info "$1" | sed -n "s/.*[( ]$2 \([0-9]*\).*/\1/p" | head -n 1
}

# chaos_case CASE NAME: runs the calling script's `record_replay
# NAME-chaosSEED --chaos --seed SEED` for seeds 1 to 3 and reports CASE.
chaos_case() {
	local fails= seed why
	for seed in 1 2 3; do
		why=$(record_replay "$2-chaos$seed" --chaos --seed "$seed") ||
			fails+="seed $seed: $why; "
	done
	if [ -n "$fails" ]; then
		e2e_fail "$1" "$fails"
	else
		e2e_pass "$1"
	fi
}

# ----------------------------------------------------------- program table

trim() { # STRING -> without leading/trailing white space
	local s=$1
	s=${s#"${s%%[![:space:]]*}"}
	s=${s%"${s##*[![:space:]]}"}
	printf '%s' "$s"
}

# read_programs: prints the program table (tests/e2e/programs.txt) without
# comments and blank lines, fields trimmed, as NAME|ARGS|DET|EXIT.
read_programs() {
	local name args det status
	while IFS='|' read -r name args det status; do
		name=$(trim "$name")
		[ -z "$name" ] && continue
		[[ $name == \#* ]] && continue
		args=$(trim "$args")
		det=$(trim "$det")
		status=$(trim "$status")
		echo "$name|$args|$det|$status"
	done <"$E2E_ROOT/tests/e2e/programs.txt"
}

# e2e_setup NAME: the usual start of a test script: a fresh scratch
# directory $work (removed on exit) and a grr binary to test; returns 1
# (after reporting a failure) when grr is missing.
e2e_setup() {
	work=$E2E_WORK/$1
	rm -rf "$work"
	mkdir -p "$work"
	trap 'rm -rf "$work"' EXIT
	if ! grr_available; then
		e2e_fail "$1" "grr binary $GRR not found (run make)"
		return 1
	fi
}

# ------------------------------------------------------ debugger sessions

# build_and_record CASE TC MODE PROGRAM: builds PROGRAM with toolchain TC in
# MODE and records it into $work/TC-MODE.grr.  Sets $bin, $tr and $rec (the
# recorded run's stdout); reports CASE failed and returns 1 when a step
# fails.
build_and_record() {
	local c=$1 tc=$2 mode=$3 prog=$4 rc
	if ! bin=$(build_program "$tc" "$mode" "$prog"); then
		e2e_fail "$c" "build failed: $(tail_of "$E2E_WORK/$tc-$mode/$prog.log")"
		return 1
	fi
	tr=$work/$tc-$mode.grr
	rec=$work/$tc-$mode-rec.out
	rc=$(run_capture "$work/$tc-$mode-rec" "$GRR" record -o "$tr" -- "$bin")
	if [ "$rc" != 0 ]; then
		e2e_fail "$c" "record: $(describe_rc "$rc")$(stderr_hint "$work/$tc-$mode-rec.err")"
		return 1
	fi
}

# dbg NAME CMD...: a scripted debugger session on $tr, each CMD one --ex;
# its output in $work/NAME.out and .err, its status in $work/NAME.rc.
dbg() {
	local name=$1
	shift
	local -a args=()
	local cmd
	for cmd in "$@"; do args+=(--ex "$cmd"); done
	# shellcheck disable=SC2046
	timeout 300 "$GRR" replay --batch $([ -n "${DBG_ECHO:-}" ] || echo --quiet) "${args[@]}" "$tr" \
		>"$work/$name.out" 2>"$work/$name.err"
	echo $? >"$work/$name.rc"
}
rc_of() { cat "$work/$1.rc"; }
# show NAME: a session's status and the ends of its output, for messages
show() { echo "status $(rc_of "$1"); out: $(tail -n 6 "$work/$1.out" | tr '\n' '|') err: $(head -c 300 "$work/$1.err")"; }

# marker_blocks JOIN: standard input split at the lines `"@@N"` that a
# scripted `print "@@N"` writes; what follows each marker, its lines joined
# with JOIN, one line per marker.
marker_blocks() {
	awk -v j="$1" '/^"@@[0-9]+"$/ { if (n) print cur; cur = ""; n = 1; next }
		n { cur = cur (cur == "" ? "" : j) $0 }
		END { if (n) print cur }'
}
