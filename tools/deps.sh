#!/usr/bin/env bash
# deps.sh - installs what grr needs to build and test, if it is missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
# Usage: tools/deps.sh [extra-package ...]
set -euo pipefail

pkgs=(gcc make pkg-config libelf-dev libdwarf-dev liblz4-dev libcapstone-dev
      check libedit-dev golang-1.19-go strace delve gdb "$@")

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "deps: installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q >/dev/null
		apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
	else
		echo "deps: missing packages; run as root:" >&2
		echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
fi

if [ ! -x /usr/local/go/bin/go ] && ! command -v go >/dev/null; then
	echo "deps: Go 1.26 not found (expected at /usr/local/go); end-to-end tests need it" >&2
	exit 1
fi

# Go 1.27, the current release: the go command fetches it from the Go
# module proxy into its module cache (about 76 MB, once per machine)
go=/usr/local/go/bin/go
[ -x "$go" ] || go=$(command -v go)
if ! GOTOOLCHAIN=go1.27.3 "$go" version >/dev/null 2>&1; then
	echo "deps: cannot fetch Go 1.27 (GOTOOLCHAIN=go1.27.3 go version); end-to-end tests need it" >&2
	exit 1
fi
