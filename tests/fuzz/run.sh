#!/usr/bin/env bash
# Fuzzes the protocol v2 codec (fuzz_proto.c) with libFuzzer for FUZZ_SECONDS seconds
# (default 30), starting from a copy of the seed corpus in tests/fuzz/corpus.
# Fails on any crash, sanitizer report or harness abort; the input that caused it is
# kept as ./fuzz-proto-crash-* in the current directory (libFuzzer also prints it).
# Fails as well when the committed corpus is not what make_corpus.c writes: the format
# changed and the seeds were not regenerated.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${FUZZ_SECONDS:-30}
case $seconds in
'' | *[!0-9]* | 0) echo "FUZZ_SECONDS must be a positive number of seconds" >&2; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sources=("$root/lib/proto.c" "$root/lib/errors.c")
cflags=(-std=c11 -g -O1 -I"$root/include")

clang "${cflags[@]}" -o "$work/make_corpus" "$root/tests/fuzz/make_corpus.c" "${sources[@]}"
mkdir "$work/expected"
"$work/make_corpus" "$work/expected"
if ! diff -r "$root/tests/fuzz/corpus" "$work/expected" >&2; then
	echo "tests/fuzz/corpus is stale: regenerate it (see tests/fuzz/make_corpus.c)" >&2
	exit 1
fi

# -fno-sanitize-recover: undefined behaviour must stop the run, not just print.
clang "${cflags[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-o "$work/fuzz_proto" "$root/tests/fuzz/fuzz_proto.c" "${sources[@]}"
cp -r "$root/tests/fuzz/corpus" "$work/corpus"
# -max_len=128: inputs of up to two records, so that windows at every offset are tried.
"$work/fuzz_proto" -max_total_time="$seconds" -max_len=128 -print_final_stats=1 \
	-artifact_prefix="$PWD/fuzz-proto-" "$work/corpus"
