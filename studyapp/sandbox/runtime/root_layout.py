"""The sandbox's tree laid out by the engine, so no file system inside names a host uid.

bubblewrap mounts a tmpfs of its own for `/`, and one for each `--tmpfs` and `--dev`. Made in the
sandbox's user namespace, each is owned by the host uid the sandbox runs as, and the kernel lists
that owner in /proc/self/mountinfo (`tmpfs rw,uid=200000,gid=200000`): code inside could read
which host uid it runs under. Where the engine may mount (as root), it lays the tree out itself:

- a root-owned skeleton, bound read-only as `/`, with every mount point made in advance (a
  sandbox uid may create nothing in a root-owned folder, and bubblewrap's own root then lies
  below it, out of sight);
- root-owned tmpfs mounts of its own for the writable `/tmp` and `/dev/shm`, with the same size
  caps, their top folder handed to the sandbox's uid (the owner shown is the mount's, root's,
  which the kernel never prints);
- empty read-only folders where bubblewrap would mount an empty tmpfs, and the usual devices
  bound one by one where it would make a `/dev`.

Without root the options stay as they are (and the uid shows: the engine runs degraded there).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from studyapp.sandbox.runtime import own_filesystem

FLAGS = frozenset(
    {"--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session"}
)
ONE_VALUE = frozenset(
    {"--hostname", "--uid", "--gid", "--proc", "--dev", "--tmpfs", "--remount-ro", "--size", "--perms"}
    | {"--chdir", "--seccomp", "--dir"}
)
TWO_VALUES = frozenset({"--ro-bind", "--bind", "--dev-bind", "--symlink", "--setenv"})
WRITABLE = {"/tmp": "tmp", "/dev/shm": "shm"}  # inside -> the engine's folder for it
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")  # what bubblewrap's --dev binds
DEVICE_LINKS = {"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1"}
DEVICE_LINKS |= {"stderr": "/proc/self/fd/2"}


class UnknownOption(ValueError):
    """An option this module does not know how many values it takes: refuse, do not guess."""


def parse(args: list[str]) -> list[tuple[str, ...]]:
    """bubblewrap's options as (option, value, ...) tuples, in order."""
    ops, index = [], 0
    while index < len(args):
        option = args[index]
        width = 0 if option in FLAGS else 1 if option in ONE_VALUE else 2 if option in TWO_VALUES else None
        if width is None or index + width >= len(args):
            raise UnknownOption(option)
        ops.append(tuple(args[index : index + 1 + width]))
        index += 1 + width
    return ops


@dataclass
class Layout:
    skeleton: Path  # bound read-only as /
    folder: Path  # holds the skeleton and the writable mounts; the environment's own
    uid: int | None  # the host uid the sandbox runs as: owns /tmp and /dev/shm
    options: list[str] = field(default_factory=list)
    mounted: list[Path] = field(default_factory=list)  # the engine's mounts, to unmount after
    _taken: list[str] = field(default_factory=list)  # destinations something is mounted on
    _replaced: set[str] = field(default_factory=set)  # tmpfs turned into a read-only folder

    def covered(self, inside: str) -> bool:
        """Whether `inside` lies in the skeleton itself (nothing is mounted on it or above)."""
        return not any(inside == taken or inside.startswith(taken.rstrip("/") + "/") for taken in self._taken)

    def on_skeleton(self, inside: str) -> Path:
        return self.skeleton / inside.lstrip("/")

    def mount_point(self, inside: str, directory: bool) -> None:
        if not self.covered(inside):
            return  # below another mount: as bubblewrap would find it
        path = self.on_skeleton(inside)
        if directory:
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(exist_ok=True)

    def mount(self, op: tuple[str, ...], directory: bool) -> None:
        """Keep bubblewrap's mount `op` (its last value is where), its mount point made first."""
        self.mount_point(op[-1], directory)
        self.options += list(op)
        self._taken.append(op[-1])

    def bind(self, option: str, source: str, inside: str) -> None:
        self.mount((option, source, inside), Path(source).is_dir())

    def remount_ro(self, inside: str) -> None:
        # The skeleton is bound read-only, and so is every empty folder put for a tmpfs.
        if not (self.covered(inside) or inside in self._replaced):
            self.options += ["--remount-ro", inside]

    def writable(self, inside: str, size_bytes: int | None) -> None:
        if size_bytes is None:
            raise ValueError(f"a writable {inside} needs a size (--size before --tmpfs)")
        folder = self.folder / WRITABLE[inside]
        folder.mkdir(exist_ok=True)
        # Empty files cost no bytes but kernel memory each: one per 4 KB page of the size
        # bounds them (the kernel's default is half the host's pages).
        if not own_filesystem.mount_tmpfs(folder, size_bytes, inodes=max(1024, size_bytes // 4096)):
            raise OSError(f"could not mount a tmpfs for {inside}")
        self.mounted.append(folder)
        if self.uid is not None:
            os.chown(folder, self.uid, self.uid)
        else:
            folder.chmod(0o1777)
        self.bind("--bind", str(folder), inside)

    def empty(self, inside: str) -> None:
        """Where bubblewrap would mount an empty tmpfs (made read-only after)."""
        if self.covered(inside):
            self.mount_point(inside, directory=True)
            return
        empty = self.skeleton / ".empty"
        empty.mkdir(exist_ok=True)
        self.bind("--ro-bind", str(empty), inside)
        self._replaced.add(inside)

    def dev(self, inside: str) -> None:
        self.mount_point(inside, directory=True)
        for device in DEVICES:
            if Path("/dev", device).exists():
                self.bind("--dev-bind", f"/dev/{device}", f"{inside}/{device}")
        for name, target in DEVICE_LINKS.items():
            self.symlink(target, f"{inside}/{name}")

    def symlink(self, target: str, inside: str) -> None:
        if not self.covered(inside):
            self.options += ["--symlink", target, inside]
            return
        path = self.on_skeleton(inside)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_symlink():
            path.symlink_to(target)


def lay_out(args: list[str], folder: Path, uid: int | None) -> tuple[list[str], list[Path]]:
    """bubblewrap options equivalent to `args` with no tmpfs of bubblewrap's own, and the tmpfs
    mounts made for them (the caller unmounts them when the environment goes). `folder`: an
    empty folder of the environment's on the engine's root-owned file system."""
    layout = Layout(skeleton=folder / "root", folder=folder, uid=uid)
    layout.skeleton.mkdir(mode=0o755)
    try:
        _apply(layout, parse(args))
    except BaseException:
        for mounted in layout.mounted:
            own_filesystem.unmount(mounted)
        raise
    return ["--ro-bind", str(layout.skeleton), "/", *layout.options], layout.mounted


def _apply(layout: Layout, ops: list[tuple[str, ...]]) -> None:
    size = None
    for op in ops:
        option, values = op[0], op[1:]
        if option == "--size":
            size = int(values[0])
            continue
        if option == "--tmpfs":
            if values[0] in WRITABLE:
                layout.writable(values[0], size)
            else:
                layout.empty(values[0])
        elif option == "--dev":
            layout.dev(values[0])
        elif option == "--proc":
            layout.mount(op, directory=True)
        elif option in ("--ro-bind", "--bind", "--dev-bind"):
            layout.bind(option, *values)
        elif option == "--symlink":
            layout.symlink(*values)
        elif option == "--remount-ro":
            layout.remount_ro(values[0])
        else:
            layout.options += list(op)
        size = None
