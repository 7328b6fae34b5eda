# SPDX-License-Identifier: MIT
"""A Python participant sees exactly floor(N/q) halts after N guest instructions, the same
checks as tests/integration/test_sync_counts.sh with timesync-peer: every transport, both
protocols, several N and q, q not dividing N, 62-instruction blocks."""
import pytest

import timesync
from conftest import SESSION_TIMEOUT, guest_insns

# guest, iterations, quantum in ns (test_sync_counts.sh's cases)
CASES = [
    ("loop", 1000040, 100000),
    ("loop", 1234567, 1000000),
    ("loop", 500100, 3333),
    ("loop", 250000, 7000),
    ("longblock", 100001, 100000),
    ("longblock", 31416, 1000),
    ("longblock", 50001, 197),
]
BLOCK = {"loop": 2, "longblock": 62}  # instructions per translated block of the loop


@pytest.mark.parametrize("protocol", [1, 2])
@pytest.mark.parametrize("transport", ["fifo", "socket", "shm"])
@pytest.mark.parametrize("guest,iterations,q", CASES, ids=[f"{g}-N{guest_insns(g, n)}-q{q}" for g, n, q in CASES])
def test_halts_are_floor_of_instructions_over_quantum(work, transport, protocol, guest, iterations, q):
    n = guest_insns(guest, iterations)
    # A block (and the clock's 100 ns resolution) away from a multiple of q: the last sync
    # needs a block start after its boundary.
    assert 64 <= n % q <= q - 64, f"bad case: {n} instructions is too close to a multiple of {q}"
    plugin_link, link = work.link(transport)
    qemu = work.qemu(guest, iterations, f"{plugin_link},protocol={protocol},TimeInNanoseconds={q}")
    halts = []
    with timesync.connect(**link, protocol=protocol, quantum_ns=q, timeout=SESSION_TIMEOUT) as session:
        assert session.quantum_ns == q
        for halt in session:
            halts.append(halt)
            session.run_for()
    assert qemu.wait() == 0, qemu.output
    assert len(halts) == n // q
    assert qemu.syncs() == n // q
    assert [h.seq for h in halts] == list(range(1, n // q + 1))
    if protocol == 1:
        assert [h.guest_ns for h in halts] == [k * q for k in range(1, n // q + 1)]
        assert session.goodbye is None
    else:
        # At or just past each boundary k*q (less than a block), one instruction a ns.
        late = [h.guest_ns - h.seq * q for h in halts]
        assert min(late) >= 0 and max(late) < BLOCK[guest]
        assert all(h.instructions == h.guest_ns for h in halts)
        assert all(isinstance(h.reason, timesync.HaltReason) and not h.flags for h in halts)
        assert session.goodbye.reason == timesync.GoodbyeReason.POWEROFF
        assert session.goodbye.text.startswith("QEMU exits at guest time ")
