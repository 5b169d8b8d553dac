"""A runtimes folder for the tests, when this machine has a newer Python installed (pyenv's, a
`make altinstall` under /usr/local or /opt): its interpreter, libpython and standard library
hard-linked (or copied) into a temporary folder every sandbox uid can read, without the parts
a function never needs (the test suite, Tk, IDLE, site-packages)."""

import glob
import os
import re
import shutil
import tempfile
from pathlib import Path

CANDIDATES = (
    "/root/.pyenv/versions/3.1[2-9].*",
    "/usr/local/python3.1[2-9]*",
    "/opt/python*/3.1[2-9]*",
    "/opt/python3.1[2-9]*",
)
LEFT_OUT = {"test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "site-packages"}


def newer_installation() -> tuple[Path, str] | None:
    """(prefix, "3.N") of a Python newer than this one, if the machine has one."""
    for pattern in CANDIDATES:
        for prefix in sorted(glob.glob(pattern)):
            for python in sorted(Path(prefix, "bin").glob("python3.1[2-9]")):
                minor = re.fullmatch(r"python(3\.\d+)", python.name).group(1)
                if (Path(prefix) / "lib" / f"python{minor}" / "os.py").is_file():
                    return Path(prefix), minor
    return None


def _link(source, target) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def build_runtimes_folder(prefix: Path, minor: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="coldstart-test-runtimes-"))
    installation = folder / f"cpython-{minor}"
    (installation / "bin").mkdir(parents=True)
    _link(prefix / "bin" / f"python{minor}", installation / "bin" / f"python{minor}")
    (installation / "lib").mkdir()
    for library in (prefix / "lib").glob(f"libpython{minor}*.so*"):
        _link(library, installation / "lib" / library.name)
    stdlib = installation / "lib" / f"python{minor}"
    shutil.copytree(
        prefix / "lib" / f"python{minor}",
        stdlib,
        copy_function=_link,
        ignore=lambda _, names: [name for name in names if name in LEFT_OUT or name.startswith("config-")],
    )
    (stdlib / "site-packages").mkdir()  # where the runtime's libraries are bound
    for directory, _, _ in os.walk(folder):
        os.chmod(directory, 0o755)
    return folder
