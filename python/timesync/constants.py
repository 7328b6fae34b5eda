# SPDX-License-Identifier: MIT
"""The constants of include/timesync.h and include/timesync_proto.h, as Python enums.

They are macros and enums in C, not symbols of libtimesync.so, so they are written out
here; tests/python/test_layout.py checks every value against the headers.
"""
import enum

PROTOCOL_VERSION = 2  # TS_PROTO_VERSION: the version protocol 2's HELLO carries


class Transport(enum.IntEnum):
    """enum ts_transport: how the plugin and the participant talk."""
    FIFO = 0    # the seed's two named pipes
    SOCKET = 1  # a Unix-domain stream socket; the plugin listens at path
    SHM = 2     # shared memory: a file at path, e.g. under /dev/shm


class Role(enum.IntEnum):
    """enum ts_role."""
    GUEST = 0
    PARTICIPANT = 1


class HaltReason(enum.IntEnum):
    """Why the guest halted (TS_HALT_QUANTUM, TS_HALT_GRANTED)."""
    QUANTUM = 1  # a quantum boundary k * quantum_ns was reached
    GRANTED = 2  # the time granted by run_until/run_for was reached


class HaltFlag(enum.IntFlag):
    """Flag bits of a halt (TS_HALT_IDLE, TS_HALT_CLOCK_RESET)."""
    IDLE = 1 << 0         # the boundary passed while every vCPU was idle
    CLOCK_RESET = 1 << 1  # the guest's own clock went back (system_reset, reboot, loadvm)


class GoodbyeReason(enum.IntEnum):
    """Why an end left (TS_GOODBYE_*)."""
    POWEROFF = 1  # the guest powered itself off
    QUIT = 2      # QEMU is quitting (monitor, signal, ...)
    DONE = 3      # the participant has finished its simulation
    ERROR = 4     # an error; the text says which
    VERSION = 5   # the peer's protocol version is not supported


class Capability(enum.IntFlag):
    """HELLO capability bits (TS_CAP_*)."""
    IDLE_TIME = 1 << 0  # the guest end sees time the guest spent idle
    LOOKAHEAD = 1 << 1  # idle HALTs say until when the guest idled (idle_until_ns)


class ErrorCode(enum.IntEnum):
    """libtimesync's own error codes (TS_ERRNO_MAP), named as in C without TS_; any other
    code is a negative errno value."""
    EOF = -10001        # the other end closed the connection
    ENOTFIFO = -10002   # exists but is not a FIFO (named pipe)
    EPROTO = -10003     # the other end broke the protocol
    EDANGLING = -10004  # is a symbolic link to nothing
    EVERSION = -10005   # the other end speaks another protocol version
    EGOODBYE = -10006   # the other end said goodbye
    EINUSE = -10007     # is in use by another guest or participant
