# SPDX-License-Identifier: MIT
"""The package's ctypes structs and constants are the C headers', field by field: what
tests/python/layout.c (compiled against include/) prints."""
import ctypes
import subprocess

import pytest

from conftest import BUILD
from timesync import _lib
from timesync.constants import (PROTOCOL_VERSION, Capability, ErrorCode, GoodbyeReason,
                                HaltFlag, HaltReason, Role, Transport)

STRUCTS = {"ts_wait": _lib.Wait, "ts_link_config": _lib.LinkConfig,
           "ts_session_config": _lib.SessionConfig, "ts_halt": _lib.Halt,
           "ts_goodbye": _lib.Goodbye}
# Each C constant and what stands for it in Python.
CONSTANTS = {
    "TS_PROTO_VERSION": PROTOCOL_VERSION,
    "TS_GOODBYE_TEXT_SIZE": _lib.GOODBYE_TEXT_SIZE,
    "TS_ERR_NAME_SIZE": _lib.ERR_NAME_SIZE,
    **{f"TS_TRANSPORT_{m.name}": m for m in Transport},
    **{f"TS_ROLE_{m.name}": m for m in Role},
    **{f"TS_HALT_{m.name}": m for m in HaltReason},
    **{f"TS_HALT_{m.name}": m for m in HaltFlag},
    **{f"TS_GOODBYE_{m.name}": m for m in GoodbyeReason},
    **{f"TS_CAP_{m.name}": m for m in Capability},
    **{f"TS_{m.name}": m for m in ErrorCode},
}


def c_layout():
    out = subprocess.run([BUILD / "tests" / "python" / "layout"], check=True,
                         capture_output=True, text=True, timeout=30).stdout
    return [line.split() for line in out.splitlines()]


LAYOUT = c_layout()


@pytest.mark.parametrize("kind,name,value", LAYOUT, ids=[" ".join(x[:2]) for x in LAYOUT])
def test_ctypes_matches_the_c_headers(kind, name, value):
    value = int(value)
    if kind == "size" and name.startswith("enum_"):
        assert ctypes.sizeof(ctypes.c_int) == value
    elif kind == "size":
        assert ctypes.sizeof(STRUCTS[name]) == value
    elif kind == "offset":
        struct, field = name.split(".")
        assert getattr(STRUCTS[struct], field).offset == value
    else:
        assert name in CONSTANTS, f"{name} has no Python counterpart"
        assert int(CONSTANTS[name]) == value


def test_every_python_constant_is_in_the_c_headers():
    assert set(CONSTANTS) <= {name for kind, name, _ in LAYOUT if kind == "constant"}
