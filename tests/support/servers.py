"""Servers that tests and benchmarks start: production settings, a gunicorn or WSGI server on a
free loopback port, and a cookie-keeping client. Benchmarks import these from here."""

import http.cookiejar
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "studyapp.settings",
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-" + "k" * 60,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    # Plain HTTP on loopback: cookies must not be HTTPS-only here.
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    # One client sends every request: the per-learner limits would measure themselves.
    "ANSWERS_PER_MINUTE": "1000000",
    "SANDBOX_RUNS_PER_MINUTE": "1000000",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str, env: dict | None = None) -> None:
    env = env or (os.environ | PRODUCTION_ENV)
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Lets a client see a redirect's Location instead of following it."""

    def redirect_request(self, *args, **kwargs):
        return None


def browser_session(base: str, path: str = "/quiz/"):
    """A cookie-keeping client that does not follow redirects, and the CSRF token a page set."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    opener.open(base + path, timeout=30).read()
    return opener, next(c.value for c in jar if c.name == "csrftoken")


def site_env(database: Path, **extra: str) -> dict:
    """Production settings on their own SQLite file, for a server a test starts."""
    return os.environ | PRODUCTION_ENV | {"DATABASE_URL": f"sqlite:///{database}"} | extra


def prepare_site(env: dict) -> None:
    """Database tables and collected static files, as a deployment would have them."""
    manage("migrate", "--noinput", env=env)
    manage("collectstatic", "--noinput", env=env)


def start_gunicorn(
    env: dict, port: int, workers: int = 2, threads: int = 1, access_log: Path | None = None
) -> subprocess.Popen:
    """gunicorn as `make serve` runs it. `access_log`: one line per request, "<worker pid> <path>"."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "studyapp.wsgi:application",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "60",
    ]
    if access_log is not None:
        command += ["--access-logfile", str(access_log), "--access-logformat", "%(p)s %(U)s %(s)s"]
    # Its own process group, so a test can crash the master and its workers together.
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_until_up(base: str, timeout_s: float = 15) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/health/", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{base} did not come up in {timeout_s} s")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def start_sandbox_host(env: dict, host: str, threads: int = 2) -> subprocess.Popen:
    """A sandbox host of the distributed mode: a Celery worker as make sandbox-worker runs it."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "studyapp.sandbox.celery_app",
        "worker",
        "--pool",
        "threads",
        "--concurrency",
        str(threads),
        "--queues",
        f"sandbox,sandbox.{host}",
        "--hostname",
        f"sandbox@{host}",
        "--without-mingle",
        "--without-gossip",
        "--loglevel",
        "WARNING",
    ]
    worker_env = env | {
        "SANDBOX_HOST_NAME": host,
        "SANDBOX_MAX_CONCURRENCY": str(threads),
        "SANDBOX_BLANK_ENVIRONMENTS": "1",
    }
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=worker_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_until_host_beats(redis_url: str, host: str, timeout_s: float = 60) -> None:
    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout_s
    while client.get(f":1:sandbox:alive:{host}") is None:
        assert time.monotonic() < deadline, f"sandbox host {host} did not start"
        time.sleep(0.2)


def stop_process_groups(processes) -> None:
    """Stop servers started in their own process groups (gunicorn, sandbox hosts): SIGTERM to
    each group still running, then SIGKILL to any that does not end within 20 s."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(20)
