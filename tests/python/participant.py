# SPDX-License-Identifier: MIT
"""A participant for the tests that need one in a process of its own (to kill it, to
interrupt it): prints "connected", then "sync SEQ GUEST_NS" at every halt, holds the
guest --hold seconds there, grants --step-ns (default: one quantum), and prints how it
ended.

    participant.py fifo H2G G2H | socket PATH | shm PATH [--protocol N] [--quantum-ns Q]
                   [--hold S] [--step-ns NS]
"""
import argparse
import time

import timesync

parser = argparse.ArgumentParser()
parser.add_argument("transport")
parser.add_argument("paths", nargs="+")
parser.add_argument("--protocol", type=int, default=2)
parser.add_argument("--quantum-ns", type=int)
parser.add_argument("--hold", type=float, default=0)
parser.add_argument("--step-ns", type=int)
args = parser.parse_args()
link = ({"host_to_guest": args.paths[0], "guest_to_host": args.paths[1]}
        if args.transport == "fifo" else {"path": args.paths[0]})
with timesync.Session(args.transport, protocol=args.protocol, quantum_ns=args.quantum_ns,
                      **link) as session:
    print("connected", flush=True)
    for halt in session:
        print(f"sync {halt.seq} {halt.guest_ns}", flush=True)
        time.sleep(args.hold)
        session.run_for(args.step_ns)
    print(f"participant: {session.halt.seq if session.halt else 0} syncs, QEMU said goodbye: "
          f"{session.goodbye}", flush=True)
