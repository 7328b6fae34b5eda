# SPDX-License-Identifier: MIT
"""The Python twin of timesync-peer --protocol 2 for bench/python_vs_c.sh: connects,
grants one quantum at every halt, nothing else, until the guest powers off. Waits spin
SPIN_US before they block, as timesync-peer --spin-us does. Prints the CPU time of its
loop over halts (without Python's start-up and imports, ~50 ms, which would count as
~25 us per sync over 2000 syncs).

    python_participant.py SPIN_US socket PATH | shm PATH | fifo HOST_TO_GUEST GUEST_TO_HOST
"""
import sys
import time

import timesync

spin_us, transport, *paths = sys.argv[1:]
link = ({"host_to_guest": paths[0], "guest_to_host": paths[1]} if transport == "fifo"
        else {"path": paths[0]})
with timesync.connect(transport, **link, spin_ns=int(spin_us) * 1000) as session:
    for halt in session:
        if halt.seq == 1:
            start = time.process_time()
        session.run_for()
    loop_cpu = time.process_time() - start
print(f"python_participant: {session.halt.seq} syncs, loop CPU {loop_cpu:.6f} s, QEMU said "
      f"goodbye: {session.goodbye}")
