#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A first-order plant, dx/dt = (u - x) / tau, in lockstep with a QEMU guest.

The input u is a square wave (1 for half a period, then 0). At every halt the plant is
advanced to the guest's time with the exact solution of each stretch of constant input,
x(t + dt) = u + (x - u) * exp(-dt / tau), so its state does not depend on where the halts
fall; it prints guest time and state and lets the guest run one more step.

    qemu-system-riscv64 -M virt -bios none -display none -icount shift=0,sleep=off \\
        -kernel build/guests/loop.elf ... \\
        -plugin build/plugin/libTimeSyncPlugin.so,transport=socket,path=/tmp/ts.sock,protocol=2,TimeInMicroseconds=100
    python3 examples/python/plant.py --transport socket --path /tmp/ts.sock --step-us 250

With the package installed (meson install), or from the trees:
PYTHONPATH=python TIMESYNC_LIBRARY=build/libtimesync.so.
"""
import argparse
import math
import sys

import timesync


class Plant:
    """x' = (u - x) / tau, u a square wave of period_ns starting at 1."""

    def __init__(self, tau_ns, period_ns):
        self.tau_ns = tau_ns
        self.half_period_ns = period_ns // 2
        self.t_ns = 0
        self.x = 0.0

    def u(self, t_ns):
        return 1.0 if (t_ns // self.half_period_ns) % 2 == 0 else 0.0

    def advance_to(self, t_ns):
        """Exactly, stretch by stretch of constant input."""
        while self.t_ns < t_ns:
            end_ns = min(t_ns, (self.t_ns // self.half_period_ns + 1) * self.half_period_ns)
            u = self.u(self.t_ns)
            self.x = u + (self.x - u) * math.exp(-(end_ns - self.t_ns) / self.tau_ns)
            self.t_ns = end_ns


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transport", default="socket", help="fifo, socket (default) or shm")
    parser.add_argument("--path", help="the socket or shared-memory file (socket, shm)")
    parser.add_argument("--host-to-guest", default="/tmp/HostToGuestPipe", help="FIFO (fifo)")
    parser.add_argument("--guest-to-host", default="/tmp/GuestToHostPipe", help="FIFO (fifo)")
    parser.add_argument("--protocol", type=int, default=2, help="1 or 2 (default)")
    parser.add_argument("--quantum-us", type=int, help="the plugin's quantum (protocol 1 needs it)")
    parser.add_argument("--step-us", type=int, help="guest time per grant (default: the quantum)")
    parser.add_argument("--tau-us", type=int, default=2000, help="time constant (default 2000)")
    parser.add_argument("--period-us", type=int, default=10000, help="input period (default 10000)")
    parser.add_argument("--print-every", type=int, default=1, help="print every N halts (default 1)")
    return parser.parse_args()


def main():
    args = parse_args()
    link = ({"host_to_guest": args.host_to_guest, "guest_to_host": args.guest_to_host}
            if args.transport == "fifo" else {"path": args.path})
    quantum_ns = args.quantum_us * 1000 if args.quantum_us else None
    plant = Plant(args.tau_us * 1000, args.period_us * 1000)
    try:
        with timesync.connect(args.transport, protocol=args.protocol, quantum_ns=quantum_ns,
                              **link) as session:
            step_ns = args.step_us * 1000 if args.step_us else session.quantum_ns
            for halt in session:
                plant.advance_to(halt.guest_ns)
                if halt.seq % args.print_every == 0:
                    print(f"t={halt.guest_ns / 1e6:.6f} ms u={plant.u(halt.guest_ns):.0f} "
                          f"x={plant.x:.6f}{' (idle)' if halt.idle else ''}", flush=True)
                session.run_for(step_ns)
    except timesync.TimesyncError as e:
        sys.exit(f"plant: {e}")
    syncs = session.halt.seq if session.halt else 0
    print(f"plant: {syncs} syncs, guest time {plant.t_ns / 1e6:.6f} ms, x={plant.x:.6f}; "
          f"QEMU said goodbye: {session.goodbye or 'none (protocol 1)'}")


if __name__ == "__main__":
    main()
