"""Hostile handlers: each must be contained. After every case the engine still serves the next
invoke, no process or file of the case is left behind, and the time taken is bounded."""

import os
import secrets
import socket
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from studyapp.sandbox.runtime import FunctionConfig
from tests.sandbox.conftest import leftover_files, make_engine, wait_for_no_leftover_processes

CANARY = "coldstart-canary-" + secrets.token_hex(8)
TIMEOUT_S = 2


@dataclass(frozen=True)
class Case:
    name: str
    code: str
    check: object  # callable(result, context) -> None; asserts containment
    timeout_s: float = TIMEOUT_S
    event: dict | None = None


@pytest.fixture(scope="module")
def hostile_engine():
    os.environ["COLDSTART_CANARY"] = CANARY  # must never be visible inside
    engine = make_engine(
        max_environments=6,
        blank_environments=2,
        tmp_size_mb=8,
        pids_max=32,
        log_limit_bytes=64 * 1024,
    )
    yield engine
    engine.close()
    os.environ.pop("COLDSTART_CANARY", None)


@pytest.fixture
def listener():
    """A TCP listener on the host's loopback: the sandbox must not reach it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    yield server
    server.close()


def handler(body: str) -> str:
    return "def handler(event, context):\n" + textwrap.indent(textwrap.dedent(body).strip() + "\n", "    ")


def timed_out(result, _):
    assert result.status == "timeout", result.payload_json


def errored(error_type):
    def check(result, _):
        assert result.status == "error", result.payload_json
        assert result.payload["errorType"] == error_type, result.payload_json

    return check


def returns(predicate):
    def check(result, context):
        assert result.status == "success", result.payload_json
        assert predicate(result.payload, context), result.payload_json

    return check


def contained(result, _):
    assert result.status in {"timeout", "error", "success"}


CASES = [
    Case(
        "fork bomb",
        "import os\n"
        + handler("""
        while True:
            try:
                os.fork()
            except OSError:
                pass
    """),
        contained,
    ),
    Case(
        "fork bomb with subprocesses",
        "import subprocess\n"
        + handler("""
        procs = []
        while True:
            try:
                procs.append(subprocess.Popen(["/bin/sleep", "600"]))
            except OSError:
                pass
    """),
        timed_out,
    ),
    Case(
        "thread bomb",
        "import threading, time\n"
        + handler("""
        count = 0
        try:
            while True:
                threading.Thread(target=time.sleep, args=(600,)).start()
                count += 1
        except RuntimeError:
            return count
    """),
        returns(lambda count, _: count < 64),
    ),
    Case(
        "memory bomb",
        handler("""
        hoard = []
        while True:
            try:
                hoard.append(b"x" * (16 * 1024 * 1024))
            except MemoryError:
                return "survived"
    """),
        errored("Runtime.OutOfMemory"),
        timeout_s=10,  # filling 128 MB takes a while on 128 MB's share of a CPU, on a busy host
    ),
    Case(
        "memory bomb in a child process",
        "import os, time\n"
        + handler("""
        if os.fork() == 0:
            hoard = []
            while True:
                hoard.append(b"x" * (16 * 1024 * 1024))
        time.sleep(60)
    """),
        contained,
    ),
    Case(
        "infinite loop",
        handler("""
        while True:
            pass
    """),
        timed_out,
    ),
    Case("time.sleep past the timeout", "import time\n" + handler("time.sleep(600)"), timed_out),
    Case("C-level sleep", "import ctypes\n" + handler("ctypes.CDLL(None).sleep(600)"), timed_out),
    Case(
        "infinite loop in C",
        "import ctypes\n"
        + handler("""
        libc = ctypes.CDLL(None)
        libc.pause()
    """),
        timed_out,
    ),
    Case(
        "catching the timeout",
        "import time\n"
        + handler("""
        while True:
            try:
                time.sleep(600)
            except BaseException:
                continue
    """),
        timed_out,
    ),
    Case(
        "ignoring signals",
        "import signal, time\n"
        + handler("""
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM, signal.SIGXCPU):
            signal.signal(sig, signal.SIG_IGN)
        while True:
            time.sleep(1)
    """),
        timed_out,
    ),
    Case(
        "setsid daemon escaping the timeout",
        "import os, time\n"
        + handler("""
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                while True:
                    time.sleep(1)
            os._exit(0)
        time.sleep(600)
    """),
        timed_out,
    ),
    Case(
        "child processes left behind after returning",
        "import subprocess\n"
        + handler("""
        for _ in range(5):
            subprocess.Popen(["/bin/sleep", "600"], start_new_session=True)
        return "left children"
    """),
        returns(lambda payload, _: payload == "left children"),
    ),
    Case(
        "reading /proc/1/environ",
        handler("""
        try:
            return open("/proc/1/environ", "rb").read().decode(errors="replace")
        except OSError as error:
            return str(error)
    """),
        returns(lambda text, _: CANARY not in text and "SECRET_KEY" not in text and "PATH=/root" not in text),
    ),
    Case(
        "reading the parent's environment",
        "import os\n"
        + handler("""
        seen = dict(os.environ)
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    seen[pid] = open(f"/proc/{pid}/environ", "rb").read().decode(errors="replace")
                except OSError:
                    pass
        return str(seen)
    """),
        returns(lambda text, _: CANARY not in text and settings.SECRET_KEY not in text),
    ),
    Case(
        "reading the project's settings and secret key",
        handler("""
        found = {}
        for path in event["paths"]:
            try:
                found[path] = open(path, "rb").read(100).decode(errors="replace")
            except OSError as error:
                found[path] = type(error).__name__
        return found
    """),
        returns(lambda found, _: all(v in ("FileNotFoundError", "PermissionError") for v in found.values())),
        event={
            "paths": [
                str(Path(settings.BASE_DIR, "studyapp/settings.py")),
                str(Path(settings.BASE_DIR, ".dev-secret-key")),
                str(Path(settings.BASE_DIR, "db.sqlite3")),
                "/etc/shadow",
                "/root/.bashrc",
            ]
        },
    ),
    Case(
        "listing the host file system",
        "import os\n"
        + handler("""
        return sorted(os.listdir("/"))
    """),
        returns(lambda names, _: "work" not in names and "root" not in names and "home" not in names),
    ),
    Case(
        "writing outside /tmp",
        handler("""
        results = {}
        for path in ["/var/task/evil.py", "/etc/passwd", "/evil", "/usr/evil", "/var/runtime/bootstrap.py",
                     "/dev/evil", "/dev/null2"]:
            try:
                open(path, "w").write("x")
                results[path] = "written"
            except OSError as error:
                results[path] = type(error).__name__
        return results
    """),
        returns(lambda results, _: "written" not in results.values()),
    ),
    Case(
        "filling /dev/shm",
        "import os\n"
        + handler("""
        written = 0
        chunk = b"x" * (1024 * 1024)
        try:
            for number in range(512):  # many 4 MB files: the size of one file is limited apart
                with open(f"/dev/shm/fill{number}", "wb") as f:
                    for _ in range(4):
                        f.write(chunk)
                        f.flush()
                        written += len(chunk)
        except OSError as error:
            return {"written_mb": written // (1024 * 1024), "error": error.errno}
        return {"written_mb": written // (1024 * 1024), "error": None}
    """),
        returns(lambda result, _: result["written_mb"] <= 16 and result["error"] == 28),  # ENOSPC
    ),
    Case(
        "filling /tmp with empty files (no bytes, an inode each)",
        "import os\n"
        + handler("""
        made = 0
        try:
            for number in range(200_000):
                open(f"/tmp/e{number}", "w").close()
                made += 1
        except OSError as error:
            return {"made": made, "error": error.errno}
        return {"made": made, "error": None}
    """),
        # ENOSPC after about one file per 4 KB page of /tmp's size (16 MB here), not 200,000
        returns(lambda result, _: result["error"] == 28 and result["made"] <= 16 * 256),
    ),
    Case(
        "devices still usable on a read-only /dev",
        handler("""
        with open("/dev/null", "w") as sink:
            sink.write("gone")
        with open("/dev/urandom", "rb") as source:
            return len(source.read(16))
    """),
        returns(lambda size, _: size == 16),
    ),
    Case(
        "filling /tmp",
        handler("""
        written = 0
        chunk = b"x" * (1024 * 1024)
        try:
            with open("/tmp/fill", "wb") as f:
                while written < 1024 * 1024 * 1024:
                    f.write(chunk)
                    written += len(chunk)
        except OSError as error:
            return {"written": written, "error": type(error).__name__}
        return {"written": written}
    """),
        returns(lambda r, _: r.get("error") and r["written"] <= 8 * 1024 * 1024),
    ),
    Case(
        "huge output flood",
        "import sys\n"
        + handler("""
        line = "spam " * 200 + "\\n"
        for _ in range(50_000):
            sys.stdout.write(line)
        return "flooded"
    """),
        returns(lambda payload, _: payload == "flooded"),
        timeout_s=5,
    ),
    Case(
        "opening thousands of files",
        handler("""
        handles = []
        try:
            for _ in range(100_000):
                handles.append(open("/dev/null"))
        except OSError as error:
            return {"opened": len(handles), "error": type(error).__name__}
    """),
        returns(lambda r, _: r["opened"] < 1024 and r["error"] == "OSError"),
    ),
    Case(
        "raising its own limits",
        "import resource\n"
        + handler("""
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (100_000, 100_000))
            return "raised"
        except (ValueError, OSError) as error:
            return type(error).__name__
    """),
        returns(lambda payload, _: payload != "raised"),
    ),
    Case(
        "connecting to a listener on the host's loopback",
        "import socket\n"
        + handler("""
        try:
            socket.create_connection(("127.0.0.1", event["port"]), timeout=1).close()
            return "connected"
        except OSError as error:
            return type(error).__name__
    """),
        returns(lambda payload, ctx: payload != "connected" and ctx["accepted"]() is False),
    ),
    Case(
        "network interfaces and routes",
        "import socket\n"
        + handler("""
        routes = open("/proc/net/route").read().splitlines()[1:]
        routes6 = [r for r in open("/proc/net/ipv6_route").read().splitlines() if not r.endswith(" lo")]
        # /proc/net/dev lists every interface (if_nameindex would need netlink, which is refused).
        names = [line.split(":")[0].strip() for line in open("/proc/net/dev").read().splitlines()[2:]]
        return {"interfaces": names, "routes": routes, "routes6": routes6}
    """),
        returns(lambda r, _: r["interfaces"] == ["lo"] and r["routes"] == [] and r["routes6"] == []),
    ),
    Case(
        "DNS lookup",
        "import socket\n"
        + handler("""
        try:
            return socket.getaddrinfo("aws.amazon.com", 443)
        except OSError as error:
            return type(error).__name__
    """),
        returns(lambda payload, _: payload == "gaierror"),
    ),
    Case(
        "ptrace",
        "import ctypes, os\n"
        + handler("""
        libc = ctypes.CDLL(None, use_errno=True)
        results = []
        for pid in (1, os.getppid()):
            results.append(libc.ptrace(16, pid, 0, 0))  # PTRACE_ATTACH
        return results
    """),
        returns(lambda results, _: all(r == -1 for r in results)),
    ),
    Case("kill -9 -1", "import os, signal\n" + handler("os.kill(-1, signal.SIGKILL)"), contained),
    Case(
        "kill -9 of every pid it can see",
        "import os, signal\n"
        + handler("""
        for pid in range(1, 400):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        return "still here"
    """),
        errored("Runtime.ExitError"),
    ),
    Case("ctypes segfault", "import ctypes\n" + handler("ctypes.string_at(0)"), errored("Runtime.ExitError")),
    Case("sys.exit in the handler", "import sys\n" + handler("sys.exit(2)"), errored("Runtime.ExitError")),
    Case("os._exit in the handler", "import os\n" + handler("os._exit(0)"), errored("Runtime.ExitError")),
    Case(
        "infinite recursion",
        handler("""
        def dive(n):
            return dive(n + 1)
        return dive(0)
    """),
        errored("RecursionError"),
    ),
    Case(
        "huge return payload",
        handler('return "x" * (8 * 1024 * 1024)'),
        errored("Function.ResponseSizeTooLarge"),
        timeout_s=10,  # encoding 8 MB takes about a second with 128 MB's share of a CPU
    ),
    Case(
        "non-UTF-8 output",
        "import sys\n"
        + handler("""
        sys.stdout.buffer.write(b"\\xff\\xfe\\xfa raw bytes\\n")
        sys.stdout.buffer.flush()
        return "ok"
    """),
        returns(lambda payload, _: payload == "ok"),
    ),
    Case(
        "writing to the runtime's channel",
        "import os\n"
        + handler("""
        for fd in range(3, 10):
            try:
                os.write(fd, b'{"op": "result", "ok": true, "payload": "\\"forged\\""}\\ngarbage\\n')
            except OSError:
                pass
        return "real"
    """),
        contained,
    ),
    Case(
        "socket families beyond unix and IP (vsock, netlink, packet, bluetooth)",
        "import errno, socket\n"
        + handler("""
        found = {}
        for name, family in [("vsock", 40), ("netlink", 16), ("packet", 17), ("bluetooth", 31), ("can", 29)]:
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_RAW):
                try:
                    socket.socket(family, kind).close()
                    found[name] = "opened"
                except OSError as error:
                    found.setdefault(name, errno.errorcode.get(error.errno, str(error.errno)))
            try:
                socket.socketpair(family)
                found[name] = "pair opened"
            except OSError:
                pass
        for family in (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6):
            socket.socket(family, socket.SOCK_STREAM).close()  # the families Lambda offers still work
        return found
    """),
        returns(lambda found, _: found and set(found.values()) == {"EAFNOSUPPORT"}),
    ),
    Case(
        "the new mount API, pidfds, kcmp and personality",
        "import ctypes, platform\n"
        + handler("""
        libc = ctypes.CDLL(None, use_errno=True)
        x86 = platform.machine() == "x86_64"
        calls = {"fsopen": 430, "open_tree": 428, "pidfd_open": 434, "memfd_secret": 447,
                 "kcmp": 312 if x86 else 272, "personality": 135 if x86 else 92}
        results = {}
        for name, number in calls.items():
            args = {"fsopen": (b"tmpfs", 0), "open_tree": (-100, b"/", 0), "pidfd_open": (1, 0),
                    "memfd_secret": (0,), "kcmp": (1, 1, 0, 0, 0), "personality": (0xFFFFFFFF,)}[name]
            results[name] = (libc.syscall(number, *args), ctypes.get_errno())
        return results
    """),
        returns(lambda results, _: all(value == [-1, 1] for value in results.values())),
    ),
    Case(
        "looking at what the host installed in /usr/local",
        "import os\n"
        + handler("""
        found = []
        for folder, dirs, files in os.walk("/usr/local"):
            found += [os.path.join(folder, name) for name in dirs + files]
        return found
    """),
        returns(lambda found, _: found == []),
    ),
    Case(
        "mount and unshare",
        "import ctypes\n"
        + handler("""
        libc = ctypes.CDLL(None, use_errno=True)
        return [libc.mount(b"none", b"/tmp", b"tmpfs", 0, None), libc.unshare(0x10000000)]
    """),
        returns(lambda results, _: results == [-1, -1]),
    ),
    Case(
        "CPU spin in a background thread after returning",
        "import threading\n"
        + handler("""
        def spin():
            while True:
                pass
        threading.Thread(target=spin, daemon=True).start()
        return "spinning"
    """),
        returns(lambda payload, _: payload == "spinning"),
    ),
    Case(
        "exhausting the pids limit at init",
        "import os\ntry:\n    while True:\n        os.fork()\n"
        "except OSError:\n    pass\n" + handler("return os.getpid()"),
        contained,
    ),
]
PROBE = FunctionConfig(
    files={"probe.py": "def handler(e, c):\n    return 'alive'\n"}, handler="probe.handler"
)


def test_there_are_at_least_30_hostile_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_code_is_contained(hostile_engine, listener, case):
    config = FunctionConfig(files={"app.py": case.code}, handler="app.handler", timeout_s=case.timeout_s)
    event = dict(case.event or {}, port=listener.getsockname()[1])

    def accepted() -> bool:
        try:
            listener.accept()[0].close()
            return True
        except (TimeoutError, OSError):
            return False

    started = time.monotonic()
    result = hostile_engine.invoke(config, event)
    elapsed = time.monotonic() - started
    case.check(result, {"accepted": accepted})
    assert elapsed < case.timeout_s + 3, f"took {elapsed:.1f}s"
    if case.name == "huge output flood":
        assert "output truncated" in result.log
    if case.name == "non-UTF-8 output":
        assert "\ufffd" in result.log and "raw bytes" in result.log
    # The engine still serves the next invoke.
    assert hostile_engine.invoke(PROBE, {}).payload == "alive"
    # Nothing of the case survives its environment.
    hostile_engine.reset(config)
    assert wait_for_no_leftover_processes(hostile_engine) == []
    assert leftover_files(hostile_engine) == []
