# SPDX-License-Identifier: MIT
"""qemu-timesync participants in Python, on libtimesync (ctypes).

A QEMU guest runs with libTimeSyncPlugin.so; at every quantum boundary of guest time it
halts and waits for the participant's grant:

    import timesync

    with timesync.connect("socket", "/tmp/ts.sock") as session:  # waits for QEMU
        for halt in session:                 # until the guest powers off
            model.advance_to(halt.guest_ns)  # your simulation, up to guest time
            session.run_for(10_000)          # the guest may run 10 us more

`with` closes with a GOODBYE (DONE, or ERROR when the block raised). Errors are
exceptions (TimesyncError and its subclasses, with the library's .code and .name). The
library is found through $TIMESYNC_LIBRARY, else where `meson install` put it, else by
the dynamic loader.
"""
from .constants import (PROTOCOL_VERSION, Capability, ErrorCode, GoodbyeReason, HaltFlag,
                        HaltReason, Transport)
from .errors import (ConnectionClosedError, GoodbyeError, InUseError, ProtocolError,
                     TimesyncError, VersionError, WaitTimeout)
from .session import Goodbye, Halt, Session, connect

__all__ = [
    "PROTOCOL_VERSION", "Capability", "ErrorCode", "GoodbyeReason", "HaltFlag", "HaltReason",
    "Transport", "ConnectionClosedError", "GoodbyeError", "InUseError", "ProtocolError",
    "TimesyncError", "VersionError", "WaitTimeout", "Goodbye", "Halt", "Session", "connect",
]
