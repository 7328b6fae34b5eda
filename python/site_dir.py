# SPDX-License-Identifier: MIT
"""site_dir.py PREFIX DEFAULT: where pure Python modules installed under PREFIX are found.

Prints the site directory of this Python's sys.path under PREFIX/lib when there is one,
else DEFAULT (meson's choice). Meson picks the directory from the sysconfig scheme, which
on Debian is one Debian's Python does not search for PREFIX /usr/local
(/usr/local/lib/python3/dist-packages; meson issue #8739): Debian's python3 looks in
/usr/local/lib/python3.X/dist-packages there, and in /usr/lib/python3/dist-packages for /usr.
"""
import os
import sys

prefix, default = sys.argv[1:]
lib = os.path.join(prefix, "lib") + os.sep
print(next((d for d in sys.path
            if d.startswith(lib) and os.path.basename(d) in ("site-packages", "dist-packages")),
           default))
