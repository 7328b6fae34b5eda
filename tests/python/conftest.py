# SPDX-License-Identifier: MIT
"""What the Python package's tests share: real qemu-system-riscv64 with the plugin and the
test guests of the build ($BUILD), as tests/integration/lib.sh runs them, every process
under `timeout -k`, every test under a time limit. (tap.py runs them for meson.)
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

BUILD = Path(os.environ["BUILD"])
SOURCE = Path(__file__).resolve().parents[2]
PLUGIN = BUILD / "plugin" / "libTimeSyncPlugin.so"
QEMU = os.environ.get("QEMU_RISCV64", "qemu-system-riscv64")
# In a sanitizer build the plugin needs the ASan runtime loaded first into QEMU.
QEMU_ENV = {"LD_PRELOAD": os.environ["QEMU_PRELOAD"],
            "ASAN_OPTIONS": "detect_leaks=0:halt_on_error=1"} if os.environ.get("QEMU_PRELOAD") else {}
# Every wait of a test's session: a test that would hang fails instead.
SESSION_TIMEOUT = 30
# And the whole test (QEMU runs under `timeout` of their own).
TEST_TIMEOUT = 150


def guest_insns(guest, iterations):
    """Instructions a test guest executes up to its power-off store (guests/README.md)."""
    per_iteration, fixed = {"loop": (2, 14), "longblock": (62, 14), "hello": (2, 394),
                            "clock": (50129, 16)}[guest]
    return per_iteration * iterations + fixed


class Qemu:
    """qemu-system-riscv64 running GUEST with ITERATIONS and the plugin with PLUGIN_ARGS, in
    the background; its stdout and stderr in WORK/qemu.out, the UART in WORK/uart.out."""

    def __init__(self, work, guest, iterations, plugin_args, *extra, timeout=60):
        self.output_path = work / "qemu.out"
        command = ["timeout", "-k", "2", str(timeout), QEMU, "-M", "virt", "-bios", "none",
                   "-display", "none", "-monitor", "none", "-serial", f"file:{work}/uart.out",
                   "-icount", "shift=0,sleep=off", "-kernel", str(BUILD / "guests" / f"{guest}.elf"),
                   "-device", f"loader,addr=0x80001000,data={iterations},data-len=8",
                   "-plugin", f"{PLUGIN},{plugin_args}", *extra]
        with open(self.output_path, "w") as out:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out,
                                            stderr=subprocess.STDOUT,
                                            env={**os.environ, **QEMU_ENV})

    def wait(self, timeout=90):
        """QEMU's exit status (timeout's: 124 when it had to end it)."""
        return self.process.wait(timeout)

    def kill(self, sig=signal.SIGKILL):
        """Sends sig to QEMU itself (the child of timeout)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        os.kill(int(children[0]), sig)

    @property
    def output(self):
        return self.output_path.read_text(errors="replace")

    def exit_line(self, pattern):
        """A number from the plugin's exit line: the group of pattern."""
        m = re.search(r"^timesync: exit: " + pattern, self.output, re.M)
        assert m, f"no exit line matching {pattern!r} in QEMU's output:\n{self.output}"
        return int(m.group(1))

    def syncs(self):
        return self.exit_line(r"([0-9]+) syncs")

    def instructions(self):
        return self.exit_line(r"[0-9]+ syncs, guest time [0-9]+ ns, ([0-9]+) instructions")


class Work:
    """A test's directory (short: socket paths have a length limit) and what it starts."""

    def __init__(self):
        self.path = Path(tempfile.mkdtemp(prefix="ts-py."))
        self.processes = []

    def link(self, transport):
        """(plugin options, Session arguments) for a transport in this directory."""
        if transport == "fifo":
            h2g, g2h = self.path / "h2g", self.path / "g2h"
            return (f"HostToGuestPipe={h2g},GuestToHostPipe={g2h}",
                    {"transport": "fifo", "host_to_guest": h2g, "guest_to_host": g2h})
        path = self.path / "link"
        return f"transport={transport},path={path}", {"transport": transport, "path": path}

    def qemu(self, *args, **kwargs):
        qemu = Qemu(self.path, *args, **kwargs)
        self.processes.append(qemu.process)
        return qemu

    def python(self, script, *args, timeout=60):
        """A Python script (a participant) in the background, with this package; its output
        in WORK/SCRIPT_NAME.out."""
        out = open(self.path / (Path(script).stem + ".out"), "w")
        process = subprocess.Popen(["timeout", "-k", "2", str(timeout), sys.executable, "-u",
                                    str(script), *map(str, args)], stdin=subprocess.DEVNULL,
                                   stdout=out, stderr=subprocess.STDOUT)
        out.close()
        process.output_path = self.path / (Path(script).stem + ".out")
        self.processes.append(process)
        return process

    def cleanup_processes(self):
        # timeout passes SIGTERM on to what it runs, and kills it 2 s later if need be.
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(autouse=True)
def time_limit():
    """Fails a test that takes longer than TEST_TIMEOUT, instead of hanging the file: SIGALRM's
    handler raises (inside a libtimesync wait too: the package defers it to after the call)."""
    def expired(signum, frame):
        raise TimeoutError(f"the test took longer than {TEST_TIMEOUT} s")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TEST_TIMEOUT)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test, for work() to see whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, "report_" + report.when, report)


@pytest.fixture
def work(request):
    """A test's Work; when the test failed, what its processes wrote goes to stderr (in
    the failure's report)."""
    w = Work()
    yield w
    w.cleanup_processes()
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        for out in sorted(w.path.glob("*.out")):
            print(f"--- {out.name}:\n{out.read_text(errors='replace')}", file=sys.stderr)
    shutil.rmtree(w.path, ignore_errors=True)


def wait_for(what, condition, timeout=30):
    """Waits until condition() is true, checking every 20 ms; fails the test after timeout s."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, f"{what}, within {timeout} s"
        time.sleep(0.02)


def wait_line(path, pattern, timeout=30):
    """Waits until the file at path has a line matching pattern (a regex)."""
    def found():
        try:
            return re.search(pattern, Path(path).read_text(errors="replace"), re.M)
        except FileNotFoundError:
            return False
    wait_for(f"a line matching {pattern!r} in {Path(path).name}", found, timeout)


def gone_within(process, seconds):
    """Milliseconds until process ended (waiting at most seconds); None if it did not."""
    start = time.monotonic()
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        return None
    return (time.monotonic() - start) * 1000
