"""What a function can see of the host: the interpreter, its standard library, the shared
libraries, locales, time zones and a base set of commands; no host software, no host-wide
/proc entries that describe the machine."""

import os
import re
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings

from studyapp.sandbox.runtime import own_filesystem, reachable, root_layout
from studyapp.sandbox.runtime.bwrap import USR_COMMANDS, usr_view
from studyapp.sandbox.runtime.engine import ROOT_PREFIX, sweep_orphaned_folders
from studyapp.sandbox.runtime.libraries import EMULATOR_PACKAGES_INSIDE, RUNTIME_PACKAGES_INSIDE
from tests.sandbox.conftest import function

LOOK_AROUND = """
import os, subprocess, sys
def handler(event, context):
    import bz2, ctypes, curses, decimal, hashlib, json, locale, lzma, readline, sqlite3, ssl, uuid, zlib
    import zoneinfo
    shell = subprocess.run(
        ["sh", "-c", "echo hello | sed s/h/H/ | tr a-z A-Z; date -u +%Y >/dev/null && echo dated"],
        capture_output=True, text=True,
    )
    proc = {}
    for name in ("cmdline", "keys", "version"):
        try:
            proc[name] = open("/proc/" + name).read()
        except OSError as error:
            proc[name] = type(error).__name__
    return {
        "usr": sorted(os.listdir("/usr")),
        "usr_lib": sorted(os.listdir("/usr/lib")),
        "usr_bin": sorted(os.listdir("/usr/bin")),
        "usr_share": sorted(os.listdir("/usr/share")),
        "usr_local": os.path.exists("/usr/local"),
        "shell": shell.stdout,
        "paris": str(zoneinfo.ZoneInfo("Europe/Paris")),
        "proc": proc,
        "proc_pids": sorted(int(name) for name in os.listdir("/proc") if name.isdigit()),
        "executable": sys.executable,
    }
"""


def test_a_function_sees_the_runtime_and_nothing_the_host_installed(engine):
    result = engine.invoke(function(LOOK_AROUND, timeout_s=10), {})
    assert result.status == "success", result.payload_json
    seen = result.payload
    python = Path(engine.host.python).resolve().name  # e.g. python3.11
    assert {"bin", "lib", "share"} <= set(seen["usr"]) <= {"bin", "lib", "lib32", "lib64", "libx32", "share"}
    assert python in seen["usr_lib"] and "locale" in seen["usr_lib"]
    assert set(seen["usr_lib"]) - {python, "locale"} <= {n for n in seen["usr_lib"] if "-linux-gnu" in n}
    # The host's own Python packages (dist-packages), browsers, databases, compilers: hidden.
    assert "python3" not in seen["usr_lib"] and "postgresql" not in seen["usr_lib"]
    assert set(seen["usr_bin"]) <= set(USR_COMMANDS) | {"python3", python}
    assert {"sh", "sleep", "ls"} <= set(seen["usr_bin"]) and "gcc" not in seen["usr_bin"]
    assert seen["usr_share"] == ["zoneinfo"] and seen["usr_local"] is False
    # ...and what a function needs still works.
    assert seen["shell"] == "HELLO\ndated\n" and seen["paris"] == "Europe/Paris"
    assert seen["executable"] == engine.host.python


def test_host_wide_proc_entries_are_masked_and_only_the_sandboxs_processes_show(engine):
    result = engine.invoke(function(LOOK_AROUND, timeout_s=10), {})
    proc = result.payload["proc"]
    assert proc["cmdline"] == "" and proc["keys"] == ""  # read as empty files, not errors
    assert proc["version"].startswith("Linux version")  # as on Lambda: the kernel is no secret
    # bubblewrap's init, the runtime's supervisor, the AWS emulator and the worker: nothing else.
    expected = [1, 2, 3, 4] if engine.aws_available else [1, 2, 3]
    assert result.payload["proc_pids"] == expected, result.payload["proc_pids"]


def test_an_interpreter_outside_usr_gets_the_whole_of_usr_without_usr_local():
    assert usr_view("/opt/python/bin/python3") == [
        "--ro-bind",
        "/usr",
        "/usr",
        "--tmpfs",
        "/usr/local",
        "--remount-ro",
        "/usr/local",
    ]


def test_the_mount_table_inside_names_no_project_path(engine):
    """A bind mount's source shows in /proc/self/mountinfo: the libraries are bound from a shared
    copy in the temporary folder, so neither the checkout nor its libraries folder is named; the
    code, /etc and the runtime come from the engine's own tmpfs, so neither the engine's folder
    nor the server's pid shows."""
    result = engine.invoke(
        function("def handler(e, c):\n    return open('/proc/self/mountinfo').read()\n"), {}
    )
    mounts = result.payload
    assert f" {RUNTIME_PACKAGES_INSIDE} " in mounts and f" {EMULATOR_PACKAGES_INSIDE} " in mounts
    assert str(settings.BASE_DIR) not in mounts
    assert str(Path(settings.SANDBOX_LIBRARIES_DIR).resolve()) not in mounts
    assert engine.own_filesystem, "CI runs as root: the engine's folder is a tmpfs of its own"
    assert ROOT_PREFIX not in mounts and str(os.getpid()) not in mounts
    # The libraries come from a tmpfs copy too: no folder of the host's temporary directory.
    assert reachable.PREFIX not in mounts and tempfile.gettempdir() + "/" not in mounts
    libraries = next(
        line.split() for line in mounts.splitlines() if line.split()[4] == RUNTIME_PACKAGES_INSIDE
    )
    assert libraries[3] == "/runtime" and "tmpfs" in libraries
    task = next(line.split() for line in mounts.splitlines() if line.split()[4] == "/var/task")
    assert task[3].startswith("/env-") and task[3].endswith("/task")  # relative to the tmpfs
    etc = next(line.split() for line in mounts.splitlines() if line.split()[4] == "/etc")
    assert etc[3] == "/etc" and "tmpfs" in etc


def test_no_file_system_inside_names_the_host_uid_it_runs_as(engine):
    """bubblewrap's own tmpfs mounts (its root, /tmp, /dev, /dev/shm) would be listed with their
    owner, a host uid (`uid=200000`); the engine lays the tree out with root-owned mounts."""
    code = """
import os
def handler(e, c):
    with open("/tmp/probe", "w") as f:
        f.write("x")
    st = os.stat("/tmp")
    return {"mounts": open("/proc/self/mountinfo").read(), "tmp_owner": [st.st_uid, st.st_gid],
            "root_writable": os.access("/", os.W_OK), "dev": sorted(os.listdir("/dev"))}
"""
    config = function(code)
    result = engine.invoke(config, {})
    assert result.status == "success", result.payload_json
    mounts = result.payload["mounts"]
    assert not re.search(r"[ ,](uid|gid)=", mounts), mounts
    (env,) = [env for env in engine.pool.all_environments() if env.fingerprint == config.fingerprint]
    assert str(env.uid) not in mounts
    root = next(line.split() for line in mounts.splitlines() if line.split()[4] == "/")
    assert root[3].endswith("/root") and root[5].startswith("ro,")  # the skeleton, read-only
    assert result.payload["tmp_owner"] == [993, 990] and result.payload["root_writable"] is False
    assert {"null", "zero", "urandom", "shm", "fd", "stdout"} <= set(result.payload["dev"])
    # The writable mounts are the environment's: gone with it.
    assert len(env._mounts) == 2 and all(own_filesystem.is_mount_point(m) for m in env._mounts)
    engine.reset(config)
    assert not any(own_filesystem.is_mount_point(m) for m in env._mounts)
    assert not env.task_dir.parent.exists()


def test_the_layout_replaces_every_tmpfs_of_bubblewraps(tmp_path):
    folder = tmp_path / "env"
    folder.mkdir()
    args = [
        "--unshare-all",
        "--tmpfs", "/usr", "--ro-bind", "/usr/bin/env", "/usr/bin/env", "--remount-ro", "/usr",
        "--symlink", "usr/bin", "/bin",
        "--proc", "/proc", "--tmpfs", "/proc/acpi", "--remount-ro", "/proc/acpi",
        "--dev", "/dev", "--size", "65536", "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
        "--size", "131072", "--tmpfs", "/tmp", "--chdir", "/",
    ]  # fmt: skip
    options, mounts = root_layout.lay_out(args, folder, uid=4242)
    try:
        assert options[:3] == ["--ro-bind", str(folder / "root"), "/"]
        assert "--tmpfs" not in options and "--dev" not in options and "--remount-ro" not in options
        skeleton = folder / "root"
        assert (skeleton / "usr/bin/env").is_file() and os.readlink(skeleton / "bin") == "usr/bin"
        assert (skeleton / "dev/null").is_file() and (skeleton / "dev/shm").is_dir()
        assert options[options.index("/dev/null") - 1 :][:3] == ["--dev-bind", "/dev/null", "/dev/null"]
        assert options[options.index("/proc/acpi") - 2] == "--ro-bind"  # an empty folder over it
        assert mounts == [folder / "shm", folder / "tmp"]
        assert all(own_filesystem.is_mount_point(m) and m.stat().st_uid == 4242 for m in mounts)
        assert os.statvfs(folder / "tmp").f_blocks * os.statvfs(folder / "tmp").f_frsize == 131072
    finally:
        for mounted in mounts:
            own_filesystem.unmount(mounted)
    with pytest.raises(root_layout.UnknownOption):
        root_layout.parse(["--bind-fd", "3", "/x"])


def test_a_killed_engines_tmpfs_is_unmounted_and_removed_by_the_next(tmp_path):
    """What a killed server left (its mounted folder, learners' code inside) goes at the next
    engine's start."""
    folder = tmp_path / f"{ROOT_PREFIX}999999999-left"  # no such pid
    folder.mkdir()
    assert own_filesystem.mount_tmpfs(folder, 1024 * 1024)
    (folder / "code.py").write_text("secret = 1\n")
    sweep_orphaned_folders(tmp_path)
    assert not own_filesystem.is_mount_point(folder) and not folder.exists()


def test_library_copies_nobody_holds_are_swept_and_held_ones_kept(tmp_path):
    source = tmp_path / "private" / "libs"
    (source / "runtime").mkdir(parents=True)
    (source / "runtime" / "module.py").write_text("x = 1\n")
    source.parent.chmod(0o700)
    held = reachable.shared_copy(source)
    assert (held / "runtime" / "module.py").read_text() == "x = 1\n"
    assert own_filesystem.is_mount_point(held)  # root: a tmpfs of its own
    assert held not in reachable.sweep_unused_copies()  # this process holds it
    assert reachable.shared_copy(source) == held  # and reuses it
    reachable.release(held)
    reachable.sweep_unused_copies()  # (another test process's engine may sweep it first)
    assert not held.exists() and not Path(f"{held}.lock").exists()


def test_a_copy_being_built_is_never_swept_as_a_legacy_one(tmp_path):
    """A copy's folder takes its source's (old) mtime when copying ends, before its .lock
    exists: only its .build file says it is being built."""
    old = time.time() - 2 * reachable.LEGACY_AGE_S
    building = tmp_path / f"{reachable.PREFIX}building"
    building.mkdir()
    Path(f"{building}.build").touch()
    legacy = tmp_path / f"{reachable.PREFIX}legacy"
    legacy.mkdir()
    for folder in (building, legacy):
        os.utime(folder, (old, old))
    assert reachable.sweep_unused_copies(tmp_path) == [legacy]
    assert building.is_dir() and not legacy.exists()
