# SPDX-License-Identifier: MIT
"""examples/python/plant.py in lockstep with QEMU: its state at every halt is the exact
solution at the guest's time, over both protocols."""
import math
import re

import pytest

from conftest import SOURCE, guest_insns

PLANT = SOURCE / "examples" / "python" / "plant.py"
TAU_NS, PERIOD_NS = 200000, 1000000  # the input switches to 0 at 0.5 ms, back at 1 ms
LINE = re.compile(r"^t=([0-9.]+) ms u=([01]) x=([0-9.]+)$", re.M)


def exact_x(t_ns):
    """The plant's state in its first period: charging from 0, then decaying."""
    half = PERIOD_NS // 2
    if t_ns <= half:
        return 1 - math.exp(-t_ns / TAU_NS)
    return exact_x(half) * math.exp(-(t_ns - half) / TAU_NS)


@pytest.mark.parametrize("transport,protocol", [("socket", 2), ("shm", 2), ("fifo", 1)])
def test_the_plant_is_stepped_exactly_in_lockstep_with_the_guest(work, transport, protocol):
    q, step_us, iterations = 100000, 50, 1000040  # 2 ms of guest time
    plugin_link, link = work.link(transport)
    if transport == "fifo":
        where = ["--host-to-guest", link["host_to_guest"], "--guest-to-host", link["guest_to_host"]]
        step_us = q // 1000  # protocol 1: one quantum per halt
    else:
        where = ["--path", link["path"]]
    plant = work.python(PLANT, "--transport", transport, *where, "--protocol", protocol,
                        "--quantum-us", q // 1000, "--step-us", step_us,
                        "--tau-us", TAU_NS // 1000, "--period-us", PERIOD_NS // 1000)
    qemu = work.qemu("loop", iterations, f"{plugin_link},protocol={protocol},TimeInNanoseconds={q}")
    assert qemu.wait() == 0, qemu.output
    assert plant.wait(30) == 0, plant.output_path.read_text()
    output = plant.output_path.read_text()
    lines = [(float(t) * 1e6, int(u), float(x)) for t, u, x in LINE.findall(output)]
    assert len(lines) == qemu.syncs()
    # The first halt at the quantum, then every step from the previous grant (a halt
    # comes at the first block start after its time: the loop guest's blocks are 2 long).
    late = [round(t) - (q + k * step_us * 1000) for k, (t, _, _) in enumerate(lines)]
    assert min(late) >= 0 and max(late) <= 1, late
    first_period = [(t, u, x) for t, u, x in lines if t < PERIOD_NS]
    assert {u for _, u, _ in first_period} == {0, 1}
    for t, u, x in first_period:
        assert abs(x - exact_x(t)) < 2e-6, f"x({t} ns) = {x}, expected {exact_x(t)}"
        assert u == (t < PERIOD_NS // 2)
    n = guest_insns("loop", iterations)
    summary = re.search(r"^plant: ([0-9]+) syncs, .*; QEMU said goodbye: (.*)$", output, re.M)
    assert summary, output
    assert int(summary.group(1)) == len(lines)
    if protocol == 2:
        assert summary.group(2).startswith("guest powered off: QEMU exits at guest time")
    else:
        assert len(lines) == n // q
