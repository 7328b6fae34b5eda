# SPDX-License-Identifier: MIT
"""`meson install` (into a DESTDIR) installs the package where the build's Python finds
modules under the prefix, records where libtimesync went, and the installed copy runs
examples/python/plant.py against QEMU without $TIMESYNC_LIBRARY."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BUILD, SOURCE

PACKAGE = SOURCE / "python" / "timesync"


def meson(*args):
    return subprocess.run(["meson", *args], check=True, capture_output=True, text=True,
                          timeout=120).stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(DESTDIR, {source file: installed path}) of one meson install."""
    root = tmp_path_factory.mktemp("root")
    meson("install", "-C", str(BUILD), "--destdir", str(root), "--no-rebuild", "--quiet")
    return root, json.loads(meson("introspect", "--installed", str(BUILD)))


def package_dir(installed):
    _, files = installed
    return Path(files[str(PACKAGE / "__init__.py")]).parent


def test_every_module_is_installed_into_one_package_directory(installed):
    root, files = installed
    directory = package_dir(installed)
    modules = sorted(PACKAGE.glob("*.py"))
    assert [Path(files[str(m)]) for m in modules] == [directory / m.name for m in modules]
    for m in modules:
        assert (Path(str(root) + str(directory)) / m.name).read_text() == m.read_text()


def test_the_package_goes_into_the_site_directory_python_searches_under_the_prefix(installed):
    options = json.loads(meson("introspect", "--buildoptions", str(BUILD)))
    prefix = next(o["value"] for o in options if o["name"] == "prefix")
    sites = [p for p in sys.path if p.startswith(prefix + "/lib/") and
             Path(p).name in ("site-packages", "dist-packages")]
    if not sites:
        pytest.skip(f"this Python searches no site directory under {prefix}")
    assert str(package_dir(installed).parent) == sites[0]


def test_the_installed_package_records_the_installed_library(installed):
    root, files = installed
    record = (Path(str(root) + str(package_dir(installed))) / "_installed.py").read_text()
    library = Path(files[str(BUILD / "libtimesync.so.0.1.0")]).parent / "libtimesync.so.0"
    assert f'LIBTIMESYNC = "{library}"' in record
    assert Path(str(root) + str(library)).exists()


def test_the_installed_package_runs_the_example_against_qemu(installed, work):
    root, files = installed
    library_dir = Path(files[str(BUILD / "libtimesync.so.0.1.0")]).parent
    env = {k: v for k, v in os.environ.items() if k not in ("TIMESYNC_LIBRARY", "PYTHONPATH")}
    # The recorded path is outside the DESTDIR: the dynamic loader finds it there.
    env.update(PYTHONPATH=str(root) + str(package_dir(installed).parent),
               LD_LIBRARY_PATH=str(root) + str(library_dir))
    found = subprocess.run([sys.executable, "-c", "import timesync; print(timesync.__file__)"],
                           env=env, cwd=work.path, capture_output=True, text=True, timeout=30)
    assert found.stdout.startswith(str(root)), found.stdout + found.stderr
    plugin_link, link = work.link("shm")
    qemu = work.qemu("loop", 1000040, f"{plugin_link},protocol=2,TimeInMicroseconds=100")
    plant = subprocess.run([sys.executable, SOURCE / "examples" / "python" / "plant.py",
                            "--transport", "shm", "--path", link["path"], "--print-every", "10"],
                           env=env, cwd=work.path, capture_output=True, text=True, timeout=60)
    assert qemu.wait() == 0, qemu.output
    assert plant.returncode == 0, plant.stderr
    assert "plant: 20 syncs, guest time 2.000" in plant.stdout, plant.stdout
