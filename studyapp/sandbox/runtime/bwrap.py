"""bubblewrap's arguments for one execution environment: new user/pid/net/ipc/uts/cgroup
namespaces, an empty environment, a read-only system that shows only what the runtime needs
(an allow-listed /usr, masked host-wide /proc entries), the code read-only at /var/task and
size-capped /tmp and /dev/shm."""

from __future__ import annotations

import os
from pathlib import Path

SANDBOX_UID_INSIDE = 993  # Lambda runs handlers as sbx_user1051 (993:990)
SANDBOX_GID_INSIDE = 990


# Commands a Python function finds on Lambda's images too (a shell and the core utilities);
# what else the host installed (compilers, databases, browsers, package managers) stays hidden.
USR_COMMANDS = (
    *("sh", "dash", "bash", "env", "ls", "cat", "echo", "printf", "test", "[", "true", "false"),
    *("sleep", "mkdir", "rm", "rmdir", "cp", "mv", "touch", "ln", "chmod", "readlink", "stat"),
    *("head", "tail", "wc", "sort", "uniq", "cut", "tr", "tee", "grep", "sed", "find", "xargs"),
    *("du", "df", "date", "uname", "id", "whoami", "pwd", "kill", "ps", "basename", "dirname"),
    *("mktemp", "nproc", "tar", "gzip", "gunzip", "zcat", "expr", "seq", "base64", "md5sum"),
    *("sha256sum", "which", "timeout"),
)


def usr_view(python: str) -> list[str]:
    """bubblewrap options for the /usr a function sees: the interpreter and its standard library,
    the shared libraries, locales, time zones and USR_COMMANDS, on an empty read-only /usr.
    Where the interpreter does not live in /usr the whole of /usr is shown (less hidden)."""
    real = Path(python).resolve()
    stdlib = Path("/usr/lib") / real.name
    if real.parent != Path("/usr/bin") or not (stdlib / "os.py").exists():
        return ["--ro-bind", "/usr", "/usr", "--tmpfs", "/usr/local", "--remount-ro", "/usr/local"]
    directories = [stdlib, Path("/usr/lib/locale"), Path("/usr/share/zoneinfo")]
    directories += sorted(Path("/usr/lib").glob("*-linux-gnu*"))  # shared libraries (multiarch)
    directories += [Path(name) for name in ("/usr/lib64", "/usr/lib32", "/usr/libx32")]
    files = [Path(python), real] + [Path("/usr/bin", name) for name in USR_COMMANDS]
    args = ["--tmpfs", "/usr"]
    for path in [*directories, *files]:
        if path.exists():
            args += ["--ro-bind", str(path), str(path)]
    return [*args, "--remount-ro", "/usr"]


# The sandbox's /proc shows only its own processes; these host-wide entries say something
# about the host (its kernel's boot line, keys, timers, hardware) and are masked, as container
# engines do.
PROC_MASKED_FILES = ("cmdline", "kcore", "keys", "timer_list", "sched_debug", "latency_stats", "timer_stats")
PROC_MASKED_DIRS = ("acpi", "scsi", "asound", "irq", "bus", "fs", "driver", "sysvipc")


def proc_masks(empty_file: Path) -> list[str]:
    """`empty_file`: a readable empty file on the host (bubblewrap binds devices as nodev, so
    /dev/null would read as "permission denied" rather than as empty)."""
    args = []
    for name in PROC_MASKED_FILES:
        if Path("/proc", name).exists():
            args += ["--ro-bind", str(empty_file), f"/proc/{name}"]
    for name in PROC_MASKED_DIRS:
        if Path("/proc", name).is_dir():
            args += ["--tmpfs", f"/proc/{name}", "--remount-ro", f"/proc/{name}"]
    return args


def host_symlink_or_bind(name: str) -> list[str]:
    """Mirror /bin, /lib, ... as the host has them (merged-/usr Debian uses symlinks)."""
    host = Path("/") / name
    if host.is_symlink():
        return ["--symlink", os.readlink(host), f"/{name}"]
    if host.is_dir():
        return ["--ro-bind", str(host), f"/{name}"]
    return []


# Lambda offers no /dev/shm at all; a little keeps multiprocessing's locks working here.
SHM_BYTES = 16 * 1024 * 1024


def bwrap_arguments(
    *,
    python: str,
    task_dir: Path,
    runtime_dir: Path,
    etc_dir: Path,
    tmp_bytes: int,
    extra_ro_binds: tuple = (),
    lang_dir: Path | None = None,
) -> list[str]:
    """Options for bubblewrap (the command itself comes from sandbox_command). `python`: the
    host's interpreter (what /usr shows); `lang_dir`: another runtime's installation, bound at
    /var/lang as Lambda keeps its interpreter."""
    args = [
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
        "--uid",
        str(SANDBOX_UID_INSIDE),
        "--gid",
        str(SANDBOX_GID_INSIDE),
        *usr_view(python),
    ]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        args += host_symlink_or_bind(name)
    args += [
        "--ro-bind",
        str(etc_dir),
        "/etc",
        "--proc",
        "/proc",
        *proc_masks(empty_file(etc_dir)),
        "--dev",
        "/dev",
        # bubblewrap's /dev is a writable tmpfs without a size: cap /dev/shm, then make the rest
        # read-only (the device nodes still read and write).
        "--size",
        str(SHM_BYTES),
        "--tmpfs",
        "/dev/shm",
        "--remount-ro",
        "/dev",
        "--size",
        str(tmp_bytes),
        "--tmpfs",
        "/tmp",
        "--ro-bind",
        str(task_dir),
        "/var/task",
        "--ro-bind",
        str(runtime_dir),
        "/var/runtime",
    ]
    if lang_dir is not None:
        # Its libpython too: found through the library path, as on Lambda (/var/lang/lib first).
        args += ["--ro-bind", str(lang_dir), "/var/lang", "--setenv", "LD_LIBRARY_PATH", "/var/lang/lib"]
    for source, target in extra_ro_binds:
        args += ["--ro-bind", str(source), target]
    args += ["--remount-ro", "/", "--chdir", "/var/task"]
    return args


def sandbox_command(python: str, cmd_fd: int, result_fd: int) -> list[str]:
    return ["--", python, "-I", "-S", "-B", "-u", "/var/runtime/bootstrap.py", str(cmd_fd), str(result_fd)]


ETC_FILES = {
    "passwd": "root:x:0:0:root:/root:/sbin/nologin\n"
    f"sbx_user1051:x:{SANDBOX_UID_INSIDE}:{SANDBOX_GID_INSIDE}::/home/sbx_user1051:/sbin/nologin\n",
    "group": f"root:x:0:\nsbx_user1051:x:{SANDBOX_GID_INSIDE}:\n",
    "hosts": "127.0.0.1\tlocalhost\n::1\tlocalhost\n",
    "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\n",
}


def write_etc(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in ETC_FILES.items():
        (directory / name).write_text(text)
        (directory / name).chmod(0o644)
    empty_file(directory).write_bytes(b"")
    empty_file(directory).chmod(0o444)


def empty_file(etc_dir: Path) -> Path:
    """Beside the sandbox's /etc, not in it: what masked /proc entries read as."""
    return etc_dir.parent / "empty"
