"""Folders the sandbox binds must be reachable by the environments' own uids.

bubblewrap runs as the environment's uid, so it cannot bind a folder below a private (0700)
parent, such as a checkout in a private home directory or in `mktemp -d`. Such a folder is
copied once into a shared temporary copy that every engine of this host reuses. The engine binds
the libraries from that copy in any case: a bind mount's source path shows in the sandbox's
/proc/self/mountinfo, and the checkout's location is none of the sandbox's business.

Where the engine may mount (root), the copy is a tmpfs of its own, so mountinfo shows paths
relative to it ("/runtime") and no host folder at all; elsewhere it is a folder of hard links.

Each copy has two lock files: `.build`, held exclusively while a copy is made or removed, and
`.lock`, on which every process using the copy holds a shared lock for as long as it lives. An
engine starting up removes the copies nobody holds (a new version of the libraries makes a new
copy; without the sweep they piled up in the temporary folder).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import stat
import tempfile
import threading
import time
from pathlib import Path

from studyapp.sandbox.runtime import own_filesystem

PREFIX = "coldstart-libraries-"
SLACK_BYTES = 16 * 1024 * 1024  # tmpfs room beyond the files
PAGE = 4096
LEGACY_AGE_S = 3600  # copies made before lock files existed: removed once this old

_held: dict[Path, int] = {}  # copies this process uses: their lock files' descriptors
_held_lock = threading.Lock()


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
    except OSError:  # another file system (a tmpfs), or links not allowed: a plain copy
        shutil.copy2(source, target)


def _size(folder: Path) -> int:
    """What a tmpfs needs to hold `folder`: every file and folder takes whole 4 KB pages."""
    total = 0
    for parent, folders, files in os.walk(folder):
        total += PAGE * len(folders)
        for name in files:
            path = os.path.join(parent, name)
            if not os.path.islink(path):
                total += PAGE * -(-os.path.getsize(path) // PAGE)
    return total


def _fill(source: Path, target: Path) -> None:
    """Make `target` (an empty folder) a world-readable copy of `source`."""
    if own_filesystem.mount_tmpfs(target, _size(source) + SLACK_BYTES):
        target.chmod(0o755)
    shutil.copytree(source, target, copy_function=_link_or_copy, symlinks=True, dirs_exist_ok=True)
    # Folders are new and opened to all; files keep their modes (linked files share them, and
    # make sandbox-libs makes them readable by all).
    for folder, _, _ in os.walk(target):
        os.chmod(folder, 0o755)


def shared_copy(path: Path, *, always: bool = False) -> Path:
    """`path` itself when it is reachable (unless `always`), else a world-readable copy of it in
    the temp folder, held by this process until it exits."""
    if not always and reachable_by_everyone(path):
        return path
    source = path.resolve()
    stamp = max((entry.stat().st_mtime_ns for entry in [source, *source.iterdir()]), default=0)
    key = hashlib.sha256(f"{source}:{stamp}".encode()).hexdigest()[:16]
    target = Path(tempfile.gettempdir(), f"{PREFIX}{key}")
    with _held_lock:
        if target in _held:
            return target
        build = _lock_exclusively(Path(f"{target}.build"))  # one process builds; others wait
        try:
            complete = Path(f"{target}.complete")
            if not complete.exists():
                _remove(target)  # a partial copy of a process killed while building it
                target.mkdir(mode=0o755)
                try:
                    _fill(source, target)
                except BaseException:
                    _remove(target)
                    raise
                complete.touch()
            in_use = os.open(f"{target}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            fcntl.flock(in_use, fcntl.LOCK_SH)  # held while this process lives: never swept
        finally:
            os.close(build)
        _held[target] = in_use
    return target


def _lock_exclusively(path: Path) -> int:
    """An exclusive lock on the lock file at `path`, still linked there once locked (a sweep may
    have removed the file while this process waited for it)."""
    while True:
        lock = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(lock, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):
            if os.stat(path).st_ino == os.fstat(lock).st_ino:
                return lock
        os.close(lock)


def release(target: Path) -> None:
    """Stop holding a copy (tests; a process exiting releases everything by itself)."""
    with _held_lock:
        lock = _held.pop(target, None)
    if lock is not None:
        os.close(lock)


def _remove(target: Path) -> None:
    own_filesystem.unmount(target)
    shutil.rmtree(target, ignore_errors=True)


def sweep_unused_copies(folder: Path | None = None) -> list[Path]:
    """Remove the copies no process holds (and the ones older code left without a lock file);
    returns what was removed."""
    folder = Path(folder or tempfile.gettempdir())
    removed = []
    for lock_path in folder.glob(f"{PREFIX}*.lock"):
        target = folder / lock_path.name.removesuffix(".lock")
        build = _lock_exclusively(Path(f"{target}.build"))  # nobody starts using it meanwhile
        try:
            try:
                in_use = os.open(lock_path, os.O_RDWR | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                fcntl.flock(in_use, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a process holds it
            finally:
                os.close(in_use)  # (closing drops the lock, and the build lock still guards)
            _remove(target)
            for leftover in (Path(f"{target}.complete"), lock_path, Path(f"{target}.build")):
                with contextlib.suppress(OSError):
                    leftover.unlink()
            removed.append(target)
        finally:
            os.close(build)
    now = time.time()
    for legacy in folder.glob(f"{PREFIX}*"):
        # A copy this code makes has its .build file from before its folder exists until after
        # it is removed: one being built (whose folder takes its source's old mtime when the
        # copy ends, before its .lock exists) is never taken for a legacy copy.
        if legacy.suffix or any(Path(f"{legacy}{end}").exists() for end in (".lock", ".build", ".complete")):
            continue
        if not legacy.is_dir():
            continue
        with contextlib.suppress(OSError):
            if now - legacy.stat().st_mtime > LEGACY_AGE_S:
                _remove(legacy)
                removed.append(legacy)
    return removed
