# SPDX-License-Identifier: MIT
"""tap.py TEST_FILE...: runs pytest on the files for `meson test` (protocol 'tap'): each
test is one TAP result on stdout, "ok N - NAME" or "not ok N - NAME" (a setup or teardown
that fails counts as one more), then the plan; pytest's own report, failures in full, goes
to stderr, which `meson test --print-errorlogs` shows. Exit status: pytest's.
"""
import os
import sys

try:
    import pytest
except ImportError:
    sys.exit("tap.py: no pytest for this Python: apt-get install python3-pytest "
             "(scripts/setup.sh does)")


class TapReport:
    def __init__(self, out):
        self.out = out
        self.count = 0

    def result(self, ok, name, directive=""):
        self.count += 1
        print(f"{'ok' if ok else 'not ok'} {self.count} - {name}{directive}", file=self.out,
              flush=True)

    def pytest_runtest_logreport(self, report):
        name = report.nodeid.split("::", 1)[-1]
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if report.skipped:
                reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
                self.result(True, name, f" # SKIP {reason}")
            else:
                self.result(report.passed, name)
        elif report.when == "teardown" and report.failed:
            self.result(False, f"{name} (teardown)")

    def pytest_collectreport(self, report):
        if report.failed:
            self.result(False, f"collecting {report.nodeid}")

    def pytest_sessionfinish(self, session, exitstatus):
        print(f"1..{self.count}", file=self.out, flush=True)


def main():
    tap = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # all else on stdout goes to stderr
    return pytest.main(["-p", "no:cacheprovider", "-rfE", *sys.argv[1:]], plugins=[TapReport(tap)])


if __name__ == "__main__":
    sys.exit(main())
