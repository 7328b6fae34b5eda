#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Counts the results of the last `meson test` in a build directory.

Usage: count-results.py BUILD_DIR. Prints "PASSED FAILED". Reads
BUILD_DIR/meson-logs/testlog.json (one entry per test, with its output) and each test's
protocol from `meson introspect --tests`. A TAP test (the integration tests) counts its
"ok" and "not ok" lines, and one failure more when it did not end as TAP says a test ends:
with its plan, the plan matching its results, and meson passing it unless a "not ok" line
says why (a test killed, timed out or dead before its plan). Any other test (unit tests,
fuzz) counts once. A skipped test (or an expected failure) counts nothing.
"""
import json
import re
import subprocess
import sys

RESULT = re.compile(r"(not )?ok\b")
PLAN = re.compile(r"1\.\.([0-9]+)")


def protocols(build):
    tests = json.loads(subprocess.run(["meson", "introspect", "--tests", build], check=True,
                                      capture_output=True, text=True).stdout)
    return {t["name"]: t["protocol"] for t in tests}


def count_tap(result, stdout):
    """(passed, failed) of one TAP test."""
    lines = stdout.splitlines()
    ok = not_ok = 0
    for line in lines:
        m = RESULT.match(line)
        if m:
            not_ok, ok = (not_ok + 1, ok) if m.group(1) else (not_ok, ok + 1)
    plans = [int(m.group(1)) for m in map(PLAN.match, lines) if m]
    ended = plans == [ok + not_ok] and (result == "OK" or not_ok > 0)
    return ok, not_ok + (0 if ended else 1)


def main():
    build = sys.argv[1]
    protocol = protocols(build)
    passed = failed = 0
    with open(f"{build}/meson-logs/testlog.json") as log:
        for line in log:
            test = json.loads(line)
            result = test["result"]
            if result in ("SKIP", "EXPECTEDFAIL"):
                continue
            # "project:suite / name"
            if protocol.get(test["name"].split(" / ", 1)[-1]) == "tap":
                ok, bad = count_tap(result, test.get("stdout", ""))
            else:
                ok, bad = (1, 0) if result == "OK" else (0, 1)
            passed += ok
            failed += bad
    print(passed, failed)


if __name__ == "__main__":
    main()
