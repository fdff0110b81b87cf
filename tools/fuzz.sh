#!/usr/bin/env bash
# fuzz.sh - fuzzes the trace reader with libFuzzer (clang, ASan + UBSan) for
# SECONDS (default 60), starting from a corpus of synthetic traces.
# Usage: tools/fuzz.sh [SECONDS]      (make fuzz FUZZ_SECONDS=N)
# Findings are written to build/fuzz/crash-* (and the script fails); the
# corpus grows in build/fuzz/corpus and is reused by later runs.
set -euo pipefail
secs=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ! tools/deps.sh clang libclang-rt-14-dev; then
	command -v clang >/dev/null || { echo "fuzz: clang is needed" >&2; exit 1; }
	echo "fuzz: tools/deps.sh reported a problem; clang is present, going on" >&2
fi
CLANG=$(command -v clang || command -v clang-14)

out=build/fuzz
mkdir -p "$out/corpus" "$out/seeds"
make -s build/release/tests/synth

# Seeds: small traces of every shape the reader handles.
synth=build/release/tests/synth
$synth -n 40 --small "$out/seeds/small.grr"
$synth -n 120 --flush-every 10 --small -s 2 "$out/seeds/chunks.grr"
$synth -n 60 --flush-every 15 --small --no-index -s 3 "$out/seeds/noindex.grr"
$synth -n 30 --small --pack -s 4 "$out/seeds/packed.grr"
$synth -n 300 -s 5 "$out/seeds/large-writes.grr"
$synth -n 80 --flush-every 20 --small --no-compress -s 6 "$out/seeds/plain.grr"
$synth -n 50 --small --no-compress --pack -s 7 "$out/seeds/plain-packed.grr"
head -c 1500 "$out/seeds/chunks.grr" >"$out/seeds/cut.grr"

PKG_CFLAGS=$(pkg-config --cflags liblz4 2>/dev/null || true)
PKG_LIBS=$(pkg-config --libs liblz4 2>/dev/null || echo -llz4)
# GRR_FUZZ_IGNORE_CRC: checksums are not verified, so that mutations reach
# the decoders (which must survive anything on their own).
# shellcheck disable=SC2086
"$CLANG" -std=c11 -DGRR_FUZZ_IGNORE_CRC -D_GNU_SOURCE -g -O1 -I. $PKG_CFLAGS \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	format/*.c tests/fuzz/fuzz_reader.c $PKG_LIBS -o "$out/fuzz_reader"

echo "fuzz: running for ${secs}s"
"$out/fuzz_reader" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$out/" -print_final_stats=1 "$out/corpus" "$out/seeds"
echo "fuzz: no crash in ${secs}s ($(find "$out/corpus" -type f | wc -l) inputs in the corpus)"
