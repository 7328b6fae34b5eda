# SPDX-License-Identifier: MIT
"""Errors are exceptions with clear messages and libtimesync's codes and names; waits end
on a timeout or Ctrl-C, never hang. No QEMU needed (a participant alone)."""
import errno
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

import timesync
from conftest import SOURCE, gone_within
from timesync import ErrorCode

PARTICIPANT = SOURCE / "tests" / "python" / "participant.py"


def test_a_timesync_error_carries_the_code_its_name_and_its_text():
    e = timesync.TimesyncError(ErrorCode.EOF, "waiting for a halt")
    assert (e.code, e.name, e.strerror) == (ErrorCode.EOF, "TS_EOF", "the other end closed the connection")
    assert str(e) == "waiting for a halt: the other end closed the connection (TS_EOF)"
    e = timesync.TimesyncError(-errno.ENOENT)
    assert (e.code, e.name, str(e)) == (-errno.ENOENT, "ENOENT", "No such file or directory (ENOENT)")


@pytest.mark.parametrize("transport", ["fifo", "socket", "shm"])
def test_a_wait_for_qemu_ends_at_the_timeout_with_a_timeout_error(work, transport):
    _, link = work.link(transport)
    start = time.monotonic()
    with pytest.raises(timesync.WaitTimeout) as e:
        timesync.connect(**link, timeout=0.3)
    took = time.monotonic() - start
    assert 0.3 <= took < 1.5
    assert isinstance(e.value, TimeoutError) and e.value.code == -errno.ETIMEDOUT
    assert str(e.value).startswith("cannot connect on ")
    assert "no answer within the session's timeout of 0.3 s" in str(e.value)


def test_a_fifo_path_that_is_a_file_is_refused_naming_it(work):
    regular = work.path / "file"
    regular.write_text("not a FIFO")
    with pytest.raises(timesync.TimesyncError) as e:
        timesync.Session("fifo", host_to_guest=work.path / "h2g", guest_to_host=regular)
    assert e.value.code == ErrorCode.ENOTFIFO
    assert str(e.value) == f"{regular}: exists but is not a FIFO (named pipe) (TS_ENOTFIFO)"
    assert regular.read_text() == "not a FIFO"


def test_a_second_participant_on_a_socket_is_refused_naming_the_first(work):
    path = work.path / "link"
    first = timesync.Session("socket", path)
    with pytest.raises(timesync.InUseError) as e:
        timesync.Session("socket", path)
    first.close()
    assert e.value.code == ErrorCode.EINUSE
    assert f"process {os.getpid()} " in e.value.holder
    assert str(e.value).startswith(f"transport=socket path={path}: is in use by another guest or "
                                   f"participant: held by process {os.getpid()} (")


@pytest.mark.parametrize("arguments,message", [
    ({"transport": "udp", "path": "x"}, "transport 'udp': expected fifo, socket or shm"),
    ({"transport": "socket"}, "transport socket needs a path"),
    ({"transport": "fifo", "path": "x"}, "transport fifo takes host_to_guest and guest_to_host"),
    ({"transport": "shm", "path": "x", "protocol": 3}, "protocol=3: expected 1 or 2"),
    ({"transport": "shm", "path": "x", "protocol": 1}, "protocol 1 needs quantum_ns"),
    ({"transport": "shm", "path": "x", "protocol": 1, "quantum_ns": 0}, "quantum_ns=0: expected 1"),
    ({"transport": "shm", "path": "x", "timeout": 0}, "timeout=0: expected seconds > 0"),
])
def test_bad_arguments_are_refused_with_a_message(arguments, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(")):
        timesync.Session(**arguments)


def test_a_library_that_cannot_be_loaded_is_an_import_error_naming_the_variable():
    env = {**os.environ, "TIMESYNC_LIBRARY": "/nonexistent/libtimesync.so"}
    result = subprocess.run([sys.executable, "-c", "import timesync"], env=env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "ImportError: timesync: TIMESYNC_LIBRARY=/nonexistent/libtimesync.so: cannot load it" \
        in result.stderr


@pytest.mark.parametrize("transport", ["fifo", "socket", "shm"])
def test_ctrl_c_ends_a_wait_for_qemu_at_once_with_keyboard_interrupt(work, transport):
    _, link = work.link(transport)
    paths = [link["host_to_guest"], link["guest_to_host"]] if transport == "fifo" else [link["path"]]
    participant = work.python(PARTICIPANT, transport, *paths)
    time.sleep(1)  # it waits for QEMU by now (nothing tells when it does)
    participant.send_signal(signal.SIGINT)  # timeout passes it on to the participant
    took = gone_within(participant, 3)
    assert took is not None and took < 1000, f"still waiting {took} ms after SIGINT"
    output = participant.output_path.read_text()
    assert "KeyboardInterrupt" in output, output
    assert "Exception ignored" not in output, output


def test_a_signal_handler_that_returns_lets_the_wait_go_on(work):
    _, link = work.link("socket")
    handled = []
    previous = signal.signal(signal.SIGUSR1, lambda signum, frame: handled.append(signum))
    try:
        session = timesync.Session(**link, timeout=1.0)
        threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGUSR1)).start()
        start = time.monotonic()
        with pytest.raises(timesync.WaitTimeout):
            session.connect()
        assert time.monotonic() - start >= 1.0
        assert handled == [signal.SIGUSR1]
        session.close()
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert signal.getsignal(signal.SIGUSR1) is previous


def test_a_closed_session_refuses_to_wait(work):
    _, link = work.link("shm")
    session = timesync.Session(**link)
    session.close()
    with pytest.raises(ValueError, match="the session is closed"):
        session.wait_halt()
