"""The Python runtimes a sandbox can offer: the host's own interpreter, and newer ones found in a
configured folder (SANDBOX_RUNTIMES_DIR), each bound where Lambda keeps its interpreter
(/var/lang). A runtime is named after the version its interpreter reports when run, never after
a file name: a python3.13 that is really 3.11 is not offered as python3.13.

A runtimes folder holds one installation per subfolder, as `make altinstall` or pyenv lay them
out: <folder>/<any name>/bin/python3.N, with lib/python3.N (its standard library) beside it and,
for a shared build, lib/libpython3.N.so.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LANG_INSIDE = "/var/lang"  # where Lambda's Python runtimes keep their interpreter
INTERPRETER_NAME = re.compile(r"^python(3\.\d+)$")


@dataclass(frozen=True)
class Runtime:
    name: str  # "python3.12"
    version: str  # what the interpreter says: "3.12.1"
    python: str  # the interpreter's path inside an environment (or on the host, unisolated)
    prefix: Path | None = None  # a found installation, bound at /var/lang; None: the host's own

    @property
    def minor(self) -> str:  # "3.12"
        return self.name.removeprefix("python")

    @property
    def execution_env(self) -> str:
        return f"AWS_Lambda_{self.name}"

    @property
    def version_label(self) -> str:
        """INIT_START's "Runtime Version" (Lambda's read python:3.12.v54)."""
        return f"python:{self.minor}.sandbox"


def host_runtime(python: str, ask: bool = True) -> Runtime:
    """The interpreter the engine itself starts environments with (the host's). `ask`: run it
    for its exact version (else this process's, the same minor version by construction)."""
    version = ".".join(str(part) for part in sys.version_info[:3])
    reported = _report(python) if ask else None
    if reported is not None:
        version = reported[0]
    major_minor = ".".join(version.split(".")[:2])
    return Runtime(name=f"python{major_minor}", version=version, python=python)


def discover(folder: str | None, default: Runtime) -> dict[str, Runtime]:
    """The runtimes on offer: the default first, then each verified installation in `folder`."""
    found = {default.name: default}
    if not folder or not Path(folder).is_dir():
        return found
    for installation in sorted(Path(folder).iterdir()):
        runtime = _verified(installation)
        if runtime is not None and runtime.name not in found:
            found[runtime.name] = runtime
    return found


def _verified(installation: Path) -> Runtime | None:
    for candidate in sorted((installation / "bin").glob("python3.*")):
        named = INTERPRETER_NAME.match(candidate.name)
        if not named or not candidate.is_file():
            continue
        reported = _report(str(candidate))
        if reported is None:
            continue
        version, prefix = reported
        minor = ".".join(version.split(".")[:2])
        if minor != named.group(1):
            continue  # its file name says another version than it runs: never offered
        if Path(prefix).resolve() != installation.resolve():
            continue  # its standard library lives elsewhere: binding this folder would not do
        if not (installation / "lib" / f"python{minor}" / "os.py").is_file():
            continue
        return Runtime(
            name=f"python{minor}",
            version=version,
            python=f"{LANG_INSIDE}/bin/{candidate.name}",
            prefix=installation,
        )
    return None


def _report(python: str) -> tuple[str, str] | None:
    """(version, prefix) as the interpreter reports them, or None when it does not run."""
    try:
        result = subprocess.run(
            [python, "-I", "-S", "-c", "import sys; print(sys.version.split()[0]); print(sys.prefix)"],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.split()
    if result.returncode != 0 or len(lines) != 2:
        return None
    return lines[0], lines[1]
