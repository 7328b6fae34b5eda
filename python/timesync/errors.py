# SPDX-License-Identifier: MIT
"""libtimesync's errors as exceptions: one class per kind of failure, all TimesyncError."""
import errno

from . import _lib
from .constants import ErrorCode, GoodbyeReason


def _as_error_code(code):
    try:
        return ErrorCode(code)
    except ValueError:  # a negative errno value
        return code


class TimesyncError(Exception):
    """A libtimesync call failed.

    code: the negative errno value or TS_E* code the call returned (ErrorCode for the
    latter); name: its name from ts_err_name() ("TS_EOF", "ENOENT"); strerror: its text
    from ts_strerror(); detail: what the session added (the versions, for a mismatch).
    """

    def __init__(self, code, context="", detail=""):
        self.code = _as_error_code(code)
        self.name = _lib.err_name(code)
        self.strerror = _lib.strerror(code)
        self.detail = detail
        message = f"{context}: {self.strerror}" if context else self.strerror
        if detail:
            message += f": {detail}"
        super().__init__(f"{message} ({self.name})")


class ConnectionClosedError(TimesyncError):
    """TS_EOF: the other end closed the connection (QEMU killed, or protocol 1's end)."""


class ProtocolError(TimesyncError):
    """TS_EPROTO: the other end broke the protocol."""


class VersionError(ProtocolError):
    """TS_EVERSION: the other end speaks another protocol version (detail names both)."""


class InUseError(TimesyncError):
    """TS_EINUSE: another participant has the FIFOs or socket; holder says which process."""

    def __init__(self, code, context="", holder=""):
        self.holder = holder
        super().__init__(code, context, f"held by {holder}" if holder else "")


class WaitTimeout(TimesyncError, TimeoutError):
    """A wait lasted longer than the session's timeout (-ETIMEDOUT)."""


class GoodbyeError(TimesyncError):
    """TS_EGOODBYE: the other end said goodbye. goodbye: the Goodbye (reason, text)."""

    def __init__(self, goodbye, context="QEMU said goodbye"):
        self.goodbye = goodbye
        self.reason = goodbye.reason
        self.text = goodbye.text
        super().__init__(ErrorCode.EGOODBYE, context, str(goodbye))

    @property
    def normal(self):
        """The guest powered off or QEMU quit: the end of a run, not a failure."""
        return self.reason in (GoodbyeReason.POWEROFF, GoodbyeReason.QUIT)


_CLASSES = {
    ErrorCode.EOF: ConnectionClosedError,
    ErrorCode.EPROTO: ProtocolError,
    ErrorCode.EVERSION: VersionError,
    -errno.ETIMEDOUT: WaitTimeout,
}


def error(code, context="", detail=""):
    """The exception for code (TS_EINUSE and TS_EGOODBYE have classes of their own)."""
    return _CLASSES.get(code, TimesyncError)(code, context, detail)
