"""A throwaway Redis server for the tests that need one shared cache: on a unix socket in a
private folder (no port, nothing reachable from elsewhere), no persistence, removed afterwards."""

import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import redis


class RedisServer:
    """One server on one socket; `restart` brings up an empty one on the same socket, as a Redis
    restarted without persistence comes back."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise RuntimeError("redis-server is missing: `make test` installs it (apt install redis-server).")
        self.folder = Path(tempfile.mkdtemp(prefix="coldstart-redis-"))
        self.url = f"unix://{self.folder / 'redis.sock'}"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", "0", "--unixsocket", str(self.folder / "redis.sock")]
            + ["--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except (redis.ConnectionError, FileNotFoundError):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the throwaway Redis server did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def redis_server(restartable: bool = False):
    """Yields a redis:// URL (unix socket) for a fresh server, stopped and removed at exit; the
    RedisServer itself when `restartable`."""
    server = RedisServer()
    try:
        server.start()
        yield server if restartable else server.url
    finally:
        server.remove()
