# SPDX-License-Identifier: MIT
"""Python signal handlers (Ctrl-C) while libtimesync waits.

A libtimesync call that waits runs with the GIL released and no Python code but the
session's keep_waiting callback, called after every slice of the wait. A signal's Python
handler therefore runs inside that callback, and what it raises (KeyboardInterrupt) is
lost there: ctypes prints it and returns garbage to C. So while sessions are open, the
Python handlers found when the first one opened are wrapped: a signal that comes while the
main thread waits in libtimesync is only noted; the callback then ends the wait with
-EINTR, and call() runs the handler after the call has returned, in ordinary Python code,
where KeyboardInterrupt propagates as usual. A handler that returns (one that only logs,
say) lets call() resume the wait, as Python does for its own system calls (PEP 475).

Only the main thread runs Python signal handlers, so only its waits defer them. Handlers
installed while a session is open are not wrapped (install them before).
"""
import errno
import signal
import threading

_main_thread = threading.main_thread().ident
_previous = {}    # signal number -> the handler it had before sessions opened
_users = 0        # open sessions
_waiting = False  # the main thread is inside a libtimesync call
_pending = []     # signals that came meanwhile, for call() to handle


def _defer(signum, frame):
    if _waiting:
        _pending.append(signum)
    else:
        _previous[signum](signum, frame)


def acquire():
    """A session opens: wraps the Python signal handlers (main thread only)."""
    global _users
    _users += 1
    if _previous or threading.get_ident() != _main_thread:
        return
    for signum in signal.valid_signals():
        try:
            handler = signal.getsignal(signum)
        except ValueError:  # not a signal Python can handle
            continue
        if callable(handler):
            _previous[signum] = handler
            signal.signal(signum, _defer)


def release():
    """A session closes: the last one puts the handlers back (those still wrapped)."""
    global _users
    _users -= 1
    if _users > 0 or threading.get_ident() != _main_thread:
        return
    for signum, handler in _previous.items():
        if signal.getsignal(signum) is _defer:
            signal.signal(signum, handler)
    _previous.clear()


def pending():
    """For keep_waiting: a signal came while the main thread waited."""
    return bool(_pending) and threading.get_ident() == _main_thread


def call(function, *args):
    """function(*args), a libtimesync call; returns its result. Signals that came while it
    waited are handled when it has returned; an -EINTR it returned because of them is
    retried once their handlers have returned without raising."""
    global _waiting
    if threading.get_ident() != _main_thread or not _previous:
        return function(*args)
    while True:
        _waiting = True
        try:
            ret = function(*args)
        finally:
            _waiting = False
        interrupted = bool(_pending)
        while _pending:
            signum = _pending.pop(0)
            _previous[signum](signum, None)
        if not (interrupted and ret == -errno.EINTR):
            return ret
