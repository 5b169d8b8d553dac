"""Folders the sandbox binds must be reachable by the environments' own uids.

bubblewrap runs as the environment's uid, so it cannot bind a folder below a private (0700)
parent, such as a checkout in a private home directory or in `mktemp -d`. Such a folder is
linked once into a shared temporary copy (hard links where the file system allows, else a copy)
that every engine of this checkout reuses. The engine binds the libraries from that copy in any
case: a bind mount's source path shows in the sandbox's /proc/self/mountinfo, and the checkout's
location is none of the sandbox's business.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import tempfile
from pathlib import Path


def reachable_by_everyone(path: Path) -> bool:
    """Every folder on the way can be entered by any user, and the folder itself read."""
    path = path.resolve()
    for folder in [*reversed(path.parents), path]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            return False
    return bool(path.stat().st_mode & stat.S_IROTH)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed: a plain copy
        shutil.copy2(source, target)


def shared_copy(path: Path, *, always: bool = False) -> Path:
    """`path` itself when it is reachable (unless `always`), else a world-readable copy of it in
    the temp folder."""
    if not always and reachable_by_everyone(path):
        return path
    source = path.resolve()
    stamp = max((entry.stat().st_mtime_ns for entry in [source, *source.iterdir()]), default=0)
    key = hashlib.sha256(f"{source}:{stamp}".encode()).hexdigest()[:16]
    target = Path(tempfile.gettempdir(), f"coldstart-libraries-{key}")
    if target.is_dir():
        return target
    staging = Path(tempfile.mkdtemp(prefix="coldstart-libraries-staging-"))
    copy = staging / "copy"
    shutil.copytree(source, copy, copy_function=_link_or_copy, symlinks=True)
    # Folders are new and opened to all; files keep their modes (linked files share them, and
    # make sandbox-libs makes them readable by all).
    for folder, _, _ in os.walk(copy):
        os.chmod(folder, 0o755)
    staging.chmod(0o755)
    with contextlib.suppress(OSError):
        copy.rename(target)  # atomic: when two engines race, both use the one that landed
    shutil.rmtree(staging, ignore_errors=True)
    return target
