#!/usr/bin/env bash
# Installs everything (scripts/setup.sh), then builds and runs every test twice: in a
# normal build with warnings as errors, and in an AddressSanitizer + UndefinedBehavior-
# Sanitizer build; then the plugin built for QEMU 7.2 (bookworm's own, plugin API 1) and
# the integration tests that apply to it (suite qemu72) against QEMU 7.2; the plugin built
# for QEMU 11.1 (Debian sid's, plugin API 7) and its tests (suite qemu11) against 11.1 in
# the sid root; and a build (no tests) with another Debian QEMU's header (10.2.2, API 5).
# Each suite's log names the qemu-system-riscv64 it runs, with its version.
# Ends with the line "N passed, N failed": each check of the integration tests (a TAP
# result) and each other test (unit tests, fuzz) once; scripts/count-results.py counts.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

bash scripts/setup.sh >/dev/null || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
qemu72=$(bash scripts/setup-qemu72.sh) || { echo "setup-qemu72 failed"; echo "0 passed, 1 failed"; exit 1; }
mapfile -t qemu72_options <<<"$qemu72" # -Dqemu_plugin_include=... -Dqemu_binary_dir=...
qemu11=$(bash scripts/setup-qemu-sid.sh) || { echo "setup-qemu-sid failed"; echo "0 passed, 1 failed"; exit 1; }
mapfile -t qemu11_options <<<"$qemu11"
other_header=$(bash scripts/setup-qemu-sid.sh --other 2>/dev/null) || other_header=

passed=0
failed=0
# configure DIR [MESON OPTIONS...]: meson setup, or reconfigure when DIR exists.
configure() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi
}

# build DIR [MESON OPTIONS...]: configures and compiles; says so and fails when it cannot.
build() {
	local dir=$1
	shift
	echo "== $dir: build ($*)"
	if ! configure "$dir" -Dwerror=true "$@" || ! meson compile -C "$dir" >"$dir/compile.log" 2>&1; then
		cat "$dir/compile.log" 2>/dev/null
		echo "== $dir: build failed"
		return 1
	fi
	grep -h '^Message: QEMU plugin API level' "$dir/meson-logs/meson-log.txt" | tail -n 1
}

# The qemu-system-riscv64 the integration tests of a build with these options run.
qemu_of() {
	local option qemu=qemu-system-riscv64
	for option in "$@"; do
		case $option in -Dqemu_binary_dir=?*) qemu=${option#-Dqemu_binary_dir=}/qemu-system-riscv64 ;; esac
	done
	printf '%s\n' "$qemu"
}

# run_suite DIR [MESON OPTIONS...]; TEST_SUITE=NAME: run only that suite.
run_suite() {
	local dir=$1 qemu
	shift
	if ! build "$dir" "$@"; then
		failed=$((failed + 1))
		return
	fi
	qemu=$(qemu_of "$@")
	echo "== $dir: test${TEST_SUITE:+ (suite $TEST_SUITE)} with $qemu: $("$qemu" --version 2>&1 | head -n 1)"
	meson test -C "$dir" --print-errorlogs --num-processes 2 ${TEST_SUITE:+--suite "$TEST_SUITE"} 2>&1 |
		grep -Ev '^(Ok|Expected Fail|Unexpected Pass|Skipped|Timeout|Fail): '
	local counts ok bad
	counts=$(python3 scripts/count-results.py "$dir") || counts="0 1"
	read -r ok bad <<<"$counts"
	echo "== $dir: $ok passed, $bad failed"
	passed=$((passed + ok))
	failed=$((failed + bad))
}

run_suite build
run_suite build-san -Db_sanitize=address,undefined -Db_lundef=false
TEST_SUITE=qemu72 run_suite build-qemu72 "${qemu72_options[@]}"
TEST_SUITE=qemu11 run_suite build-qemu11 "${qemu11_options[@]}"
# A build check (one result): the plugin builds for the API level of another Debian QEMU.
if [ -z "$other_header" ]; then
	echo "== build-other: skipped (no other QEMU source package downloads; see setup-qemu-sid.sh --other)"
elif build build-other "$other_header"; then
	echo "== build-other: 1 passed, 0 failed"
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
