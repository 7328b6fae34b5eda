# SPDX-License-Identifier: MIT
"""libtimesync.so through ctypes: finding it, its structs and its functions.

Not API: the package's public names are in timesync/__init__.py. The structs mirror
include/timesync.h and include/timesync_proto.h field by field (ctypes lays them out as
the C compiler does); tests/python/test_layout.py checks every size, offset and constant
against the headers.
"""
import ctypes
import os

# The library's file name with its ABI version (its soname), as the loader knows it.
SONAME = "libtimesync.so.0"
# Set to a libtimesync.so to use that one (the build tree's, in the tests).
ENV_LIBRARY = "TIMESYNC_LIBRARY"


def _installed_path():
    """Where `meson install` put libtimesync.so next to this package, or None."""
    try:
        from . import _installed
    except ImportError:  # the source tree: no install, no path
        return None
    return _installed.LIBTIMESYNC


def _load():
    explicit = os.environ.get(ENV_LIBRARY)
    if explicit:
        try:
            return ctypes.CDLL(explicit)
        except OSError as e:
            raise ImportError(f"timesync: {ENV_LIBRARY}={explicit}: cannot load it: {e}") from None
    tried = []
    for candidate in (_installed_path(), SONAME):
        if candidate is None:
            continue
        try:
            return ctypes.CDLL(candidate)
        except OSError as e:
            tried.append(str(e))
    raise ImportError("timesync: libtimesync not found (" + "; ".join(tried) + "): install it "
                      f"(meson install) or set {ENV_LIBRARY} to the path of libtimesync.so "
                      "(e.g. build/libtimesync.so)")


# struct ts_wait: keep_waiting(arg) after every slice of a wait; negative ends the wait.
KEEP_WAITING = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)


class Wait(ctypes.Structure):
    _fields_ = [("spin_ns", ctypes.c_uint64), ("slice_ms", ctypes.c_int),
                ("keep_waiting", KEEP_WAITING), ("arg", ctypes.c_void_p)]


class LinkConfig(ctypes.Structure):
    _fields_ = [("transport", ctypes.c_int),  # enum ts_transport
                ("host_to_guest", ctypes.c_char_p), ("guest_to_host", ctypes.c_char_p),
                ("path", ctypes.c_char_p), ("wait", Wait)]


class SessionConfig(ctypes.Structure):
    _fields_ = [("link", LinkConfig), ("protocol", ctypes.c_int),
                ("quantum_ns", ctypes.c_uint64), ("capabilities", ctypes.c_uint64)]


class Halt(ctypes.Structure):
    _fields_ = [("reason", ctypes.c_uint32), ("flags", ctypes.c_uint32),
                ("seq", ctypes.c_uint64), ("guest_ns", ctypes.c_uint64),
                ("instructions", ctypes.c_uint64), ("idle_until_ns", ctypes.c_uint64)]


GOODBYE_TEXT_SIZE = 56  # TS_GOODBYE_TEXT_SIZE


class Goodbye(ctypes.Structure):
    _fields_ = [("reason", ctypes.c_uint32), ("text", ctypes.c_char * GOODBYE_TEXT_SIZE)]


ERR_NAME_SIZE = 16  # TS_ERR_NAME_SIZE

lib = _load()
_session_p = ctypes.c_void_p  # struct ts_session *, opaque
_PROTOTYPES = {
    "ts_strerror": (ctypes.c_char_p, [ctypes.c_int]),
    "ts_err_name": (ctypes.c_char_p, [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t]),
    "ts_transport_parse": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]),
    "ts_transport_name": (ctypes.c_char_p, [ctypes.c_int]),
    "ts_link_holder": (ctypes.c_int, [ctypes.POINTER(LinkConfig), ctypes.c_int,
                                      ctypes.c_char_p, ctypes.c_size_t]),
    "ts_session_open": (ctypes.c_int, [ctypes.POINTER(_session_p), ctypes.c_int,
                                       ctypes.POINTER(SessionConfig)]),
    "ts_session_connect": (ctypes.c_int, [_session_p]),
    "ts_session_wait_halt": (ctypes.c_int, [_session_p, ctypes.POINTER(Halt)]),
    "ts_session_run_until": (ctypes.c_int, [_session_p, ctypes.c_uint64]),
    "ts_session_run_for": (ctypes.c_int, [_session_p, ctypes.c_uint64]),
    "ts_session_close": (None, [_session_p, ctypes.c_uint32, ctypes.c_char_p]),
    "ts_session_protocol": (ctypes.c_int, [_session_p]),
    "ts_session_guest_quantum_ns": (ctypes.c_uint64, [_session_p]),
    "ts_session_guest_capabilities": (ctypes.c_uint64, [_session_p]),
    "ts_session_goodbye": (ctypes.POINTER(Goodbye), [_session_p]),
    "ts_session_error": (ctypes.c_char_p, [_session_p]),
    "ts_goodbye_reason_name": (ctypes.c_char_p, [ctypes.c_uint32]),
}
for _name, (_restype, _argtypes) in _PROTOTYPES.items():
    _function = getattr(lib, _name)
    _function.restype = _restype
    _function.argtypes = _argtypes


def strerror(code):
    """ts_strerror(): text for a negative errno value or TS_E* code."""
    return lib.ts_strerror(code).decode(errors="replace")


def err_name(code):
    """ts_err_name(): "TS_EOF", "ENOENT", ... for a negative errno value or TS_E* code."""
    buf = ctypes.create_string_buffer(ERR_NAME_SIZE)
    return lib.ts_err_name(code, buf, len(buf)).decode(errors="replace")
