# SPDX-License-Identifier: MIT
"""Grants from Python: steps that change land exactly (tests/integration/
test_dynamic_steps.sh), absolute grants, boundaries that do not drift (test_grant_drift.sh),
halt flags, grants the protocol cannot carry refused before they are sent, and the
goodbye that ends the run."""
import re

import pytest

import timesync
from conftest import SESSION_TIMEOUT

STEPS = [1000, 3000, 7000]
EXACT_LATE = {"on": 0, "off": 61}  # how late a halt may come: exact mode 0, else a block


@pytest.mark.parametrize("exact", ["on", "off"])
@pytest.mark.parametrize("transport", ["fifo", "socket", "shm"])
def test_changing_steps_land_on_their_grants(work, transport, exact):
    plugin_link, link = work.link(transport)
    qemu = work.qemu("longblock", 2000, f"{plugin_link},protocol=2,TimeInNanoseconds=5000,exact={exact}")
    expected, lateness = 5000, []  # the first halt at the quantum, then at each grant
    with timesync.connect(**link, timeout=SESSION_TIMEOUT) as session:
        for halt in session:
            lateness.append(halt.guest_ns - expected)
            step = STEPS[(halt.seq - 1) % len(STEPS)]
            session.run_for(step)
            expected += step  # from the previous grant, not from the (late) halt
    assert qemu.wait() == 0, qemu.output
    assert len(lateness) > 30
    assert min(lateness) >= 0 and max(lateness) <= EXACT_LATE[exact], lateness


def test_absolute_grants_land_on_the_instruction(work):
    plugin_link, link = work.link("shm")
    qemu = work.qemu("longblock", 2000, f"{plugin_link},protocol=2,TimeInNanoseconds=5000,exact=on")
    granted, halts = [5000], []
    with timesync.connect(**link, timeout=SESSION_TIMEOUT) as session:
        for halt in session:
            halts.append(halt.guest_ns)
            granted.append(halt.guest_ns + (halt.seq % 5) * 777 + 1)
            session.run_until(granted[-1])
    assert qemu.wait() == 0, qemu.output
    assert len(halts) > 30
    assert halts == granted[:len(halts)]


def test_grants_from_the_previous_grant_do_not_drift(work):
    syncs, q = 100000, 1000  # q not a multiple of the 62-instruction block: halts come late
    iterations = (syncs + 2) * (q + 62) // 62
    plugin_link, link = work.link("shm")
    trace = work.path / "trace"
    qemu = work.qemu("longblock", iterations,
                     f"{plugin_link},protocol=2,TimeInNanoseconds={q},trace={trace}", timeout=240)
    late = 0
    with timesync.connect(**link, timeout=SESSION_TIMEOUT) as session:
        for halt in session:
            if halt.seq > syncs:
                break  # `with` says goodbye (done) to the guest halted here
            late += halt.guest_ns > halt.seq * q
            session.run_for(q)
    assert qemu.wait(240) == 0, qemu.output
    assert qemu.syncs() == syncs
    # Trace lines: sync boundary_ns guest_ns ...
    rows = [line.split() for line in trace.read_text().splitlines() if not line.startswith("#")]
    assert rows[-1][:2] == [str(syncs), str(syncs * q)]
    assert [r[0] for r in rows if int(r[1]) != int(r[0]) * q] == []
    assert late >= syncs // 2, "the guest does not test drift: too few halts came late"


@pytest.mark.parametrize("guest,idle", [("sleep", True), ("busyidle", False)])
def test_boundaries_passed_while_idle_are_flagged(work, guest, idle):
    q = 1000000
    plugin_link, link = work.link("socket")
    qemu = work.qemu(guest, 1000000, f"{plugin_link},protocol=2,TimeInNanoseconds={q}")
    with timesync.connect(**link, timeout=SESSION_TIMEOUT) as session:
        assert session.capabilities & timesync.Capability.IDLE_TIME
        halts = []
        for halt in session:
            halts.append(halt)
            session.run_for()
    assert qemu.wait() == 0, qemu.output
    flagged = [h.seq for h in halts if h.idle]
    assert all(h.flags & timesync.HaltFlag.IDLE for h in halts if h.idle)
    if idle:
        assert len(flagged) >= 9, f"only halts {flagged} of {len(halts)} flagged idle"
    else:
        assert flagged == []


def test_a_reboot_flags_the_next_halt_clock_reset(work):
    q = 1000000
    plugin_link, link = work.link("fifo")
    qemu = work.qemu("reboot", 5000000, f"{plugin_link},protocol=2,TimeInNanoseconds={q}")
    with timesync.connect(**link, timeout=SESSION_TIMEOUT) as session:
        halts = []
        for halt in session:
            halts.append(halt)
            session.run_for()
    assert qemu.wait() == 0, qemu.output
    assert len([h for h in halts if h.clock_reset]) == 1
    assert all(a.guest_ns < b.guest_ns for a, b in zip(halts, halts[1:])), "guest time went back"
    assert len(halts) == qemu.instructions() // q


def test_grants_the_protocol_cannot_carry_are_refused_before_they_are_sent(work):
    plugin_link, link = work.link("socket")
    qemu = work.qemu("loop", 1000040, f"{plugin_link},protocol=2,TimeInMicroseconds=100")
    with timesync.connect(**link, timeout=SESSION_TIMEOUT) as session:
        with pytest.raises(RuntimeError, match="no halt to grant: the guest has not halted yet"):
            session.run_for()
        halt = session.wait_halt()
        with pytest.raises(ValueError, match=f"until_ns={halt.guest_ns}: not after the halt"):
            session.run_until(halt.guest_ns)
        with pytest.raises(ValueError, match=re.escape("step_ns=0: expected 1 .. 2^64 - 1")):
            session.run_for(0)
        with pytest.raises(ValueError, match="step_ns=18446744073709551616"):
            session.run_for(2**64)
        with pytest.raises(TypeError, match="step_ns must be an integer"):
            session.run_for(1.5)
        with pytest.raises(RuntimeError, match="halt 1 .* has no grant yet"):
            session.wait_halt()
        session.run_for()
        with pytest.raises(RuntimeError, match="no halt to grant: the last halt has its grant"):
            session.run_for()
        for halt in session:
            session.run_for()
    assert qemu.wait() == 0, qemu.output
    assert qemu.syncs() == 20


def test_protocol_1_grants_one_quantum_and_nothing_else(work):
    q = 100000
    plugin_link, link = work.link("fifo")
    qemu = work.qemu("loop", 1000040, f"{plugin_link},TimeInNanoseconds={q}")
    with timesync.connect(**link, protocol=1, quantum_ns=q, timeout=SESSION_TIMEOUT) as session:
        halt = session.wait_halt()
        with pytest.raises(ValueError, match="protocol 1 grants one quantum"):
            session.run_for(2 * q)
        with pytest.raises(ValueError, match=f"protocol 1 can only grant the next boundary, {2 * q} ns"):
            session.run_until(3 * q)
        session.run_until(2 * q)
        for halt in session:
            session.run_for(q)
    assert qemu.wait() == 0, qemu.output
    assert halt.seq == 20


def test_leaving_the_with_block_says_goodbye_and_qemu_ends_with_status_0(work):
    plugin_link, link = work.link("shm")
    qemu = work.qemu("loop", 100000000, f"{plugin_link},protocol=2,TimeInMicroseconds=100")
    with timesync.connect(**link, timeout=SESSION_TIMEOUT) as session:
        for halt in session:
            if halt.seq == 5:
                break
            session.run_for()
    assert session.closed
    assert qemu.wait() == 0, qemu.output
    assert "timesync: the participant said goodbye (participant done: done)" in qemu.output
    assert qemu.syncs() == 4


def test_an_exception_in_the_with_block_tells_qemu_why(work):
    plugin_link, link = work.link("socket")
    qemu = work.qemu("loop", 100000000, f"{plugin_link},protocol=2,TimeInMicroseconds=100")
    with pytest.raises(ArithmeticError):
        with timesync.connect(**link, timeout=SESSION_TIMEOUT) as session:
            session.wait_halt()
            raise ArithmeticError("the model diverged")
    assert qemu.wait() == 1, qemu.output
    assert "the participant said goodbye (error: participant failed: ArithmeticError: the" in qemu.output
