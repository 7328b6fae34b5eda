#!/usr/bin/env bash
# Installs everything (scripts/setup.sh), then builds and runs every test twice: in a
# normal build with warnings as errors, and in an AddressSanitizer + UndefinedBehavior-
# Sanitizer build; then the plugin built for QEMU 7.2 (bookworm's own, plugin API 1) and
# the integration tests that apply to it (suite qemu72) against QEMU 7.2.
# Ends with the line "N passed, N failed": each check of the integration tests (a TAP
# result) and each other test (unit tests, fuzz) once; scripts/count-results.py counts.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

bash scripts/setup.sh >/dev/null || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
qemu72=$(bash scripts/setup-qemu72.sh) || { echo "setup-qemu72 failed"; echo "0 passed, 1 failed"; exit 1; }
mapfile -t qemu72_options <<<"$qemu72" # -Dqemu_plugin_include=... -Dqemu_binary_dir=...

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

# run_suite DIR [MESON OPTIONS...]; TEST_SUITE=NAME: run only that suite.
run_suite() {
	local dir=$1
	shift
	echo "== $dir: build ($*)"
	if ! configure "$dir" -Dwerror=true "$@" || ! meson compile -C "$dir" >"$dir/compile.log" 2>&1; then
		cat "$dir/compile.log" 2>/dev/null
		echo "== $dir: build failed"
		failed=$((failed + 1))
		return
	fi
	echo "== $dir: test"
	meson test -C "$dir" --print-errorlogs --num-processes 2 2>&1 | grep -Ev '^(Ok|Expected Fail|Unexpected Pass|Skipped|Timeout|Fail): '
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
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
