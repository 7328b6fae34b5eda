# SPDX-License-Identifier: MIT
"""A participant's session: connect to the plugin, wait for halts, grant guest time."""
import ctypes
import errno
import operator
import os
import stat
import time
import typing

from . import _lib, _signals
from .constants import Capability, ErrorCode, GoodbyeReason, HaltFlag, HaltReason, Role, Transport
from .errors import ConnectionClosedError, GoodbyeError, InUseError, error

UINT64_MAX = 2**64 - 1
# timesync-peer's defaults: the seed's FIFO pair, a 50 us spin before blocking.
DEFAULT_HOST_TO_GUEST = "/tmp/HostToGuestPipe"
DEFAULT_GUEST_TO_HOST = "/tmp/GuestToHostPipe"
DEFAULT_SPIN_NS = 50_000
# Waits block in slices this long; after each one Ctrl-C and the timeout are looked at.
SLICE_MS = 100
# close() waits at most this long to deliver its GOODBYE.
GOODBYE_TIMEOUT_S = 1.0
# After these the session is over: every later call raises the same error.
_FINAL = (ErrorCode.EOF, ErrorCode.EGOODBYE, ErrorCode.EPROTO, ErrorCode.EVERSION)


class Halt(typing.NamedTuple):
    """The guest halted and waits for a grant.

    guest_ns: guest time (ns) when it stopped, at or just past the boundary; instructions:
    executed by all vCPUs so far (protocol 1 does not say: 0); reason: a HaltReason;
    flags: HaltFlag bits (IDLE, CLOCK_RESET); seq: 1 for the first halt, then +1 each.
    """
    guest_ns: int
    instructions: int
    reason: HaltReason
    flags: HaltFlag
    seq: int

    @property
    def idle(self):
        """The boundary passed while every vCPU was idle."""
        return bool(self.flags & HaltFlag.IDLE)

    @property
    def clock_reset(self):
        """The guest's own clock went back since the previous halt (a reboot, loadvm)."""
        return bool(self.flags & HaltFlag.CLOCK_RESET)


class Goodbye(typing.NamedTuple):
    """What an end said when it left: reason (a GoodbyeReason, or the number of one this
    version does not know) and text."""
    reason: int
    text: str

    def __str__(self):
        name = _lib.lib.ts_goodbye_reason_name(self.reason).decode()
        return f"{name}: {self.text}" if self.text else name


def _enum_or_int(enum_type, value):
    try:
        return enum_type(value)
    except ValueError:  # a value a later version of the protocol added
        return value


def _u64(value, name, minimum=0):
    """value as an integer from minimum to 2^64 - 1 (what C's uint64_t takes)."""
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer (ns), not {value!r}") from None
    if not minimum <= value <= UINT64_MAX:
        raise ValueError(f"{name}={value}: expected {minimum} .. 2^64 - 1")
    return value


def _is_fifo(path):
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:  # a dangling symbolic link
        return False


def _transport(value):
    if isinstance(value, Transport):
        return value
    parsed = ctypes.c_int()
    if not isinstance(value, str) or _lib.lib.ts_transport_parse(value.encode(), parsed) < 0:
        raise ValueError(f"transport {value!r}: expected fifo, socket or shm")
    return Transport(parsed.value)


class _Waiting:
    """What a session's keep_waiting callback looks at after every slice of a wait."""
    __slots__ = ("deadline",)

    def __init__(self):
        self.deadline = None  # time.monotonic() when the wait gives up, or None

    def keep_waiting(self, _arg):
        if _signals.pending():
            return -errno.EINTR
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return -errno.ETIMEDOUT
        return 0


class Session:
    """The participant's end of a link to the QEMU plugin (libtimesync's ts_session).

    transport: "fifo" (the default, with host_to_guest and guest_to_host), "socket" or
    "shm" (with path), as the plugin's transport= option. protocol: 2 (the default:
    time-stamped records, any steps) or 1 (the seed's byte each way: give quantum_ns, the
    plugin's quantum, to know guest time). capabilities: the Capability bits this end
    announces. spin_ns: how long a wait spins before it blocks. timeout: seconds any one
    wait (for QEMU, for a halt, to send a grant) may last, else WaitTimeout; None: no limit.

    Opening prepares the link without waiting; connect() (or the first wait, or `with`)
    waits for QEMU. Use a session from one thread at a time. Waits can be interrupted
    (Ctrl-C) at any time: they block in slices of 0.1 s.
    """

    def __init__(self, transport="fifo", path=None, *, host_to_guest=DEFAULT_HOST_TO_GUEST,
                 guest_to_host=DEFAULT_GUEST_TO_HOST, protocol=2, quantum_ns=None,
                 capabilities=0, spin_ns=DEFAULT_SPIN_NS, timeout=None):
        self._session = None
        self._last_goodbye = None  # the goodbye, kept by close()
        transport = _transport(transport)
        if protocol not in (1, 2):
            raise ValueError(f"protocol={protocol!r}: expected 1 or 2")
        if protocol == 1 and quantum_ns is None:
            raise ValueError("protocol 1 needs quantum_ns, the plugin's quantum "
                             "(TimeInNanoseconds), to know guest time")
        if transport == Transport.FIFO and path is not None:
            raise ValueError("transport fifo takes host_to_guest and guest_to_host, not path")
        if transport != Transport.FIFO and not path:
            raise ValueError(f"transport {transport.name.lower()} needs a path")
        if timeout is not None and not timeout > 0:
            raise ValueError(f"timeout={timeout!r}: expected seconds > 0, or None")
        self.protocol = protocol
        self.timeout = timeout
        self._quantum_ns = _u64(quantum_ns, "quantum_ns", 1) if quantum_ns is not None else 0
        self._waiting = _Waiting()
        # Kept with the session: libtimesync calls it for as long as the session lives.
        self._keep_waiting = _lib.KEEP_WAITING(self._waiting.keep_waiting)
        self._cfg = cfg = _lib.SessionConfig()
        cfg.link.transport = transport
        if transport == Transport.FIFO:
            cfg.link.host_to_guest = os.fsencode(host_to_guest)
            cfg.link.guest_to_host = os.fsencode(guest_to_host)
            self.where = f"host_to_guest={host_to_guest} guest_to_host={guest_to_host}"
        else:
            cfg.link.path = os.fsencode(path)
            self.where = f"transport={transport.name.lower()} path={path}"
        cfg.link.wait.spin_ns = _u64(spin_ns, "spin_ns")
        cfg.link.wait.slice_ms = SLICE_MS
        cfg.link.wait.keep_waiting = self._keep_waiting
        cfg.protocol = protocol
        cfg.quantum_ns = self._quantum_ns
        cfg.capabilities = _u64(int(capabilities), "capabilities")
        self._c_halt = _lib.Halt()
        self._c_halt_ref = ctypes.byref(self._c_halt)
        self._connected = False
        self._halt = None       # the last halt
        self._granted = True    # the last halt has had its grant
        self._ended = 0         # the error that ended the session (_FINAL), or 0
        handle = ctypes.c_void_p()
        ret = _lib.lib.ts_session_open(ctypes.byref(handle), Role.PARTICIPANT, ctypes.byref(cfg))
        if ret == ErrorCode.EINUSE:
            holder = ctypes.create_string_buffer(64)
            _lib.lib.ts_link_holder(ctypes.byref(cfg.link), Role.PARTICIPANT, holder, len(holder))
            raise InUseError(ret, self.where, holder.value.decode(errors="replace"))
        if ret in (ErrorCode.ENOTFIFO, ErrorCode.EDANGLING) and transport == Transport.FIFO:
            raise error(ret, next(p for p in (host_to_guest, guest_to_host) if not _is_fifo(p)))
        if ret < 0:
            raise error(ret, self.where)
        self._session = handle
        _signals.acquire()

    def __repr__(self):
        state = "closed" if self.closed else "connected" if self._connected else "open"
        return f"<timesync.Session {self.where} protocol={self.protocol} {state}>"

    # -- state ------------------------------------------------------------------------

    @property
    def closed(self):
        return self._session is None

    @property
    def connected(self):
        return self._connected

    @property
    def quantum_ns(self):
        """The plugin's quantum: from its HELLO (protocol 2), else the one given."""
        return self._quantum_ns

    @property
    def capabilities(self):
        """The Capability bits of the plugin's HELLO (protocol 2; else none)."""
        return Capability(_lib.lib.ts_session_guest_capabilities(self._handle()))

    @property
    def halt(self):
        """The last Halt, or None before the first."""
        return self._halt

    @property
    def goodbye(self):
        """What QEMU said when it left (a Goodbye), or None."""
        if self._session is None:
            return self._last_goodbye
        c = _lib.lib.ts_session_goodbye(self._session)
        if not c:
            return None
        return Goodbye(_enum_or_int(GoodbyeReason, c.contents.reason),
                       c.contents.text.decode(errors="replace"))

    # -- the protocol ---------------------------------------------------------------------

    def connect(self):
        """Waits for QEMU (protocol 2: exchanges HELLOs); returns the session. VersionError
        when QEMU speaks another protocol version."""
        if self._connected:
            return self
        ret = self._call(_lib.lib.ts_session_connect, self._handle())
        if ret < 0:
            self._end(ret)
            raise self._failure(ret, f"cannot connect on {self.where}")
        self._connected = True
        if self.protocol == 2:
            self._quantum_ns = _lib.lib.ts_session_guest_quantum_ns(self._session)
        return self

    def wait_halt(self):
        """Waits until the guest halts; returns the Halt. Connects first when needed.
        GoodbyeError when QEMU said goodbye instead (the guest powered off, QEMU quit:
        its .normal is True), ConnectionClosedError when it went away without one."""
        self._handle()
        self.connect()
        if self._ended:
            raise self._failure(self._ended, "waiting for a halt")
        if not self._granted:
            raise RuntimeError(f"halt {self._halt.seq} (guest time {self._halt.guest_ns} ns) has "
                               "no grant yet: call run_for() or run_until() first, else the "
                               "guest waits for the grant and this for the guest")
        ret = self._call(_lib.lib.ts_session_wait_halt, self._session, self._c_halt_ref)
        if ret < 0:
            self._end(ret)
            raise self._failure(ret, "waiting for a halt")
        c = self._c_halt
        self._halt = Halt(c.guest_ns, c.instructions, _REASONS.get(c.reason, c.reason),
                          _flags(c.flags), c.seq)
        self._granted = False
        return self._halt

    def run_for(self, step_ns=None):
        """Lets the halted guest run step_ns (default: one quantum) past the last grant, not
        past the halt (which comes up to a block late), so that boundaries do not drift:
        with a constant step q they stay at k * q. The first counts from the guest's first
        boundary. Protocol 1: one quantum, the only step there is."""
        self._check_grant()
        step_ns = self._quantum_ns if step_ns is None else _u64(step_ns, "step_ns", 1)
        if self.protocol == 1 and step_ns != self._quantum_ns:
            raise ValueError(f"step_ns={step_ns}: protocol 1 grants one quantum "
                             f"({self._quantum_ns} ns) per halt; other steps need protocol 2")
        self._grant(self._call(_lib.lib.ts_session_run_for, self._session, step_ns),
                    f"granting {step_ns} ns more")

    def run_until(self, until_ns):
        """Lets the halted guest run until guest time until_ns, which must be after the
        halt. Protocol 1: only the next boundary (one quantum)."""
        self._check_grant()
        until_ns = _u64(until_ns, "until_ns")
        if self.protocol == 1:
            boundary = (self._halt.seq + 1) * self._quantum_ns
            if until_ns != boundary:
                raise ValueError(f"until_ns={until_ns}: protocol 1 can only grant the next "
                                 f"boundary, {boundary} ns; other times need protocol 2")
        elif until_ns <= self._halt.guest_ns:
            raise ValueError(f"until_ns={until_ns}: not after the halt at guest time "
                             f"{self._halt.guest_ns} ns")
        self._grant(self._call(_lib.lib.ts_session_run_until, self._session, until_ns),
                    f"granting guest time until {until_ns} ns")

    def halts(self):
        """The halts one by one, until the guest powers off or QEMU quits (protocol 1: closes
        the connection); grant each before the next. Any other end raises."""
        while True:
            try:
                halt = self.wait_halt()
            except GoodbyeError as e:
                if e.normal:
                    return
                raise
            except ConnectionClosedError:
                if self.protocol == 1:
                    return
                raise
            yield halt

    __iter__ = halts

    def close(self, reason=GoodbyeReason.DONE, text="done"):
        """Says goodbye (protocol 2, when QEMU is still there; reason 0: without one) and
        closes. QEMU ends with status 0 after GoodbyeReason.DONE, else 1."""
        if self._session is None:
            return
        if not self._connected or self._ended:
            reason = 0  # nobody to say goodbye to
        self._last_goodbye = self.goodbye
        handle, self._session = self._session, None
        self._waiting.deadline = time.monotonic() + GOODBYE_TIMEOUT_S
        try:
            _signals.call(_lib.lib.ts_session_close, handle, int(reason),
                          text.encode() if text else None)
        finally:
            _signals.release()

    def __enter__(self):
        return self.connect()

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None:
            self.close()
        elif issubclass(exc_type, KeyboardInterrupt):
            self.close(GoodbyeReason.ERROR, "participant interrupted")
        else:
            self.close(GoodbyeReason.ERROR, f"participant failed: {exc_type.__name__}: {exc}")

    def __del__(self):
        if self._session is not None:
            self.close(0)

    # -- helpers --------------------------------------------------------------------------

    def _handle(self):
        if self._session is None:
            raise ValueError("the session is closed")
        return self._session

    def _call(self, function, *args):
        """A libtimesync call that may wait: with the timeout, interruptible."""
        self._waiting.deadline = None if self.timeout is None else time.monotonic() + self.timeout
        return _signals.call(function, *args)

    def _end(self, ret):
        if ret in _FINAL:
            self._ended = ret

    def _check_grant(self):
        self._handle()
        if self._ended:
            raise self._failure(self._ended, "granting guest time")
        if self._granted:
            what = "the last halt has its grant" if self._halt else "the guest has not halted yet"
            raise RuntimeError(f"no halt to grant: {what} (wait_halt() first)")

    def _grant(self, ret, context):
        # QEMU left while the guest was halted (it quit, or it was killed): the next
        # wait_halt() reports how, with the goodbye QEMU may have left on the link (a
        # socket shows it to the grant already), and ends the iteration there if it was a
        # normal end.
        if ret == ErrorCode.EGOODBYE:
            self._ended = ret
            ret = 0
        if ret == ErrorCode.EOF:
            ret = 0
        if ret < 0:
            self._end(ret)
            raise self._failure(ret, context)
        self._granted = True

    def _failure(self, ret, context):
        """The exception for libtimesync's ret, with what the session knows about it."""
        if ret == ErrorCode.EGOODBYE:
            return GoodbyeError(self.goodbye)
        detail = ""
        if ret in (ErrorCode.EPROTO, ErrorCode.EVERSION):
            detail = _lib.lib.ts_session_error(self._session).decode(errors="replace")
        elif ret == ErrorCode.EOF:
            detail = ("QEMU closed the connection" if self.protocol == 1
                      else "QEMU went away without a goodbye (killed or crashed)")
        elif ret == -errno.ETIMEDOUT:
            detail = f"no answer within the session's timeout of {self.timeout} s"
        return error(ret, context, detail)


_REASONS = {reason.value: reason for reason in HaltReason}
_FLAGS = {}


def _flags(value):
    """HaltFlag(value), remembered: a handful of values come back at every halt."""
    flags = _FLAGS.get(value)
    if flags is None:
        flags = _FLAGS[value] = HaltFlag(value)
    return flags


def connect(transport="fifo", path=None, **options):
    """A Session (same arguments), connected to QEMU: `with timesync.connect(...) as s:`."""
    session = Session(transport, path, **options)
    try:
        return session.connect()
    except BaseException:
        session.close(0)
        raise
