"""The engine's working folder on a file system of its own.

A bind mount's source shows in the sandbox's /proc/self/mountinfo as a path below the root of
the file system it comes from. Bound from a folder in /tmp, a function would read
`/tmp/coldstart-sandbox-<pid>-…/env-3-…/task`: the host's temporary folder, the server's pid
and the engine's layout. Bound from a tmpfs mounted on that folder it reads `/env-3-…/task`.

Only root may mount; elsewhere the folder stays as it is (and the engine runs degraded, as it
cannot switch uids either).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
from pathlib import Path

MS_NOSUID = 0x2
MS_NODEV = 0x4
MNT_DETACH = 0x2

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]


def mount_tmpfs(folder: Path, size_bytes: int, inodes: int | None = None) -> bool:
    """Mount a root-owned tmpfs of at most `size_bytes` (and `inodes` files and folders, when
    given) on the empty `folder`; False where this process may not mount (not root, or a
    container without CAP_SYS_ADMIN). Root's ownership is never listed in mountinfo (another
    owner is, as a host uid)."""
    if os.geteuid() != 0:
        return False
    options = f"size={size_bytes},mode=755{f',nr_inodes={inodes}' if inodes else ''}".encode()
    return _libc.mount(b"coldstart", os.fsencode(folder), b"tmpfs", MS_NOSUID | MS_NODEV, options) == 0


def is_mount_point(folder: Path) -> bool:
    try:
        return os.path.ismount(folder)
    except OSError:
        return False


def unmount(folder: Path) -> None:
    """Detach the tmpfs on `folder` (lazily: a process still inside cannot block it). Nothing to
    do when `folder` is no mount point."""
    if not is_mount_point(folder):
        return
    if _libc.umount2(os.fsencode(folder), MNT_DETACH) != 0:
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOENT):
            raise OSError(code, os.strerror(code), str(folder))
