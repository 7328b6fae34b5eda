# SPDX-License-Identifier: MIT
"""Faults around a Python participant (tests/integration/test_faults.sh and
test_version_mismatch.sh with timesync-peer): the participant killed while the guest is
halted or runs, QEMU killed, QEMU quitting while halted, a guest end of another protocol
version or one that sends garbage, Ctrl-C while the guest runs. Never a hang: every end
within a second, with a message or an exception that says why."""
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

import timesync
from conftest import BUILD, SESSION_TIMEOUT, SOURCE, gone_within, wait_line

PARTICIPANT = SOURCE / "tests" / "python" / "participant.py"
ROGUE = BUILD / "tests" / "rogue_peer"
TRANSPORTS = ["fifo", "socket", "shm"]


def paths(link):
    """The link's paths as participant.py and rogue_peer take them."""
    if link["transport"] == "fifo":
        return [link["host_to_guest"], link["guest_to_host"]]
    return [link["path"]]


def kill_child(process, sig=signal.SIGKILL):
    """Sends sig to what `timeout` (process) runs."""
    pid = process.pid
    os.kill(int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0]), sig)


@pytest.mark.parametrize("protocol", [1, 2])
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_participant_killed_while_the_guest_is_halted_makes_qemu_exit_1_at_once(work, transport, protocol):
    q = 1000000
    plugin_link, link = work.link(transport)
    participant = work.python(PARTICIPANT, link["transport"], *paths(link), "--protocol", protocol,
                              "--quantum-ns", q, "--hold", 30)
    qemu = work.qemu("loop", 100000000, f"{plugin_link},protocol={protocol},TimeInNanoseconds={q}")
    wait_line(participant.output_path, "^sync 1 ")
    kill_child(participant)
    took = gone_within(qemu.process, 3)
    assert took is not None and took <= 1000, f"QEMU still runs {took} ms after the kill"
    assert qemu.wait() == 1, qemu.output
    assert re.search("^timesync: the participant closed ", qemu.output, re.M), qemu.output


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_participant_killed_while_the_guest_runs_makes_qemu_exit_1_at_once(work, transport):
    q = 1000000
    plugin_link, link = work.link(transport)
    # After the first halt the guest runs 50 ms of guest time per grant.
    participant = work.python(PARTICIPANT, link["transport"], *paths(link), "--step-ns", 50000000)
    qemu = work.qemu("loop", 2000000000, f"{plugin_link},protocol=2,TimeInNanoseconds={q}")
    wait_line(participant.output_path, "^sync 2 ")
    kill_child(participant)
    took = gone_within(qemu.process, 3)
    assert took is not None and took <= 1000, f"QEMU still runs {took} ms after the kill"
    assert qemu.wait() == 1, qemu.output


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_qemu_killed_raises_connection_closed_at_once(work, transport):
    plugin_link, link = work.link(transport)
    qemu = work.qemu("loop", 2000000000, f"{plugin_link},protocol=2,TimeInNanoseconds=1000000")
    with timesync.connect(**link, timeout=SESSION_TIMEOUT) as session:
        with pytest.raises(timesync.ConnectionClosedError) as e:
            for halt in session:
                if halt.seq == 1:
                    qemu.kill()
                    killed = time.monotonic()
                session.run_for()
        took = time.monotonic() - killed
    assert took <= 1.0, f"{took:.3f} s from QEMU's death to the exception"
    assert e.value.code == timesync.ErrorCode.EOF
    assert str(e.value) == ("waiting for a halt: the other end closed the connection: QEMU went "
                            "away without a goodbye (killed or crashed) (TS_EOF)")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_qemu_quitting_while_halted_ends_the_iteration_with_its_goodbye(work, transport):
    plugin_link, link = work.link(transport)
    qemu = work.qemu("loop", 2000000000, f"{plugin_link},protocol=2,TimeInNanoseconds=1000000")
    with timesync.connect(**link, timeout=SESSION_TIMEOUT) as session:
        for halt in session:
            if halt.seq == 3:
                qemu.kill(signal.SIGTERM)
                assert gone_within(qemu.process, 3) is not None, "QEMU did not quit"
            session.run_for()
    assert halt.seq == 3
    assert session.goodbye.reason == timesync.GoodbyeReason.QUIT, session.goodbye
    assert str(session.goodbye).startswith("QEMU is quitting")


def rogue_guest(work, link, mode):
    """rogue_peer as the guest end (tests/integration/rogue_peer.c), in the background."""
    out = open(work.path / "rogue.out", "w")
    process = subprocess.Popen(["timeout", "-k", "2", "30", ROGUE, "guest", link["transport"],
                                *paths(link), mode], stdout=out, stderr=subprocess.STDOUT)
    out.close()
    work.processes.append(process)
    return process


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_guest_end_of_another_version_raises_version_error_naming_both(work, transport):
    _, link = work.link(transport)
    rogue = rogue_guest(work, link, "version")
    with pytest.raises(timesync.VersionError) as e:
        timesync.connect(**link, timeout=SESSION_TIMEOUT)
    assert e.value.code == timesync.ErrorCode.EVERSION
    assert str(e.value).startswith("cannot connect on ")
    assert re.search(r"another protocol version: .*\b3\b.*\b2\b", str(e.value)), str(e.value)
    rogue.wait(10)
    assert re.search(r"^rogue_peer: got GOODBYE \(protocol version mismatch",
                     (work.path / "rogue.out").read_text(), re.M)


def test_a_guest_end_that_sends_garbage_raises_protocol_error(work):
    _, link = work.link("socket")
    rogue_guest(work, link, "garbage")
    with pytest.raises(timesync.ProtocolError) as e:
        timesync.connect(**link, timeout=SESSION_TIMEOUT)
    assert e.value.code == timesync.ErrorCode.EPROTO
    assert "the other end broke the protocol: " in str(e.value)


def interrupt(participant):
    """Ctrl-C for the participant: it must end within a second, with KeyboardInterrupt."""
    kill_child(participant, signal.SIGINT)
    took = gone_within(participant, 3)
    assert took is not None and took <= 1000, f"the participant still runs {took} ms after SIGINT"
    output = participant.output_path.read_text()
    assert "KeyboardInterrupt" in output and "Exception ignored" not in output, output


def test_ctrl_c_while_the_guest_runs_ends_the_participant_at_once_and_qemu_with_status_1(work):
    plugin_link, link = work.link("socket")
    # 50 ms of guest time per grant: the participant mostly waits for the guest.
    participant = work.python(PARTICIPANT, "socket", link["path"], "--step-ns", 50000000)
    qemu = work.qemu("loop", 2 * 10**9, f"{plugin_link},protocol=2,TimeInNanoseconds=1000000")
    wait_line(participant.output_path, "^sync 2 ")
    interrupt(participant)
    # QEMU finds out at the guest's next halt, 50 ms of guest time later at most. (The
    # GOODBYE the participant sent is lost: the plugin's HALT fails on the closed socket
    # before it reads it.)
    assert gone_within(qemu.process, 3) is not None, "QEMU still runs"
    assert qemu.wait() == 1, qemu.output
    assert re.search(r"^timesync: the participant (closed|said goodbye)", qemu.output, re.M), qemu.output


def test_ctrl_c_while_the_guest_is_halted_tells_qemu_the_participant_was_interrupted(work):
    plugin_link, link = work.link("shm")
    participant = work.python(PARTICIPANT, "shm", link["path"], "--hold", 30)
    qemu = work.qemu("loop", 2 * 10**9, f"{plugin_link},protocol=2,TimeInNanoseconds=1000000")
    wait_line(participant.output_path, "^sync 1 ")
    interrupt(participant)
    assert gone_within(qemu.process, 1) is not None, "QEMU still runs"
    assert qemu.wait() == 1, qemu.output
    assert re.search(r"^timesync: the participant said goodbye \(error: participant interrupted\)$",
                     qemu.output, re.M), qemu.output
