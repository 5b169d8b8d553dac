"""Start sandbox processes from one long-lived thread.

bubblewrap's --die-with-parent uses PR_SET_PDEATHSIG, and the kernel sends that signal when
the *thread* that forked the process ends, not the whole process. An environment started
from a short-lived thread (a request thread of the dev server, an async retry) was killed the
moment that thread finished, and its next invoke died with "signal: killed". Forking from a
thread that lives as long as this process keeps --die-with-parent meaning what it says.
"""

from __future__ import annotations

import os
import queue
import subprocess
import threading
from concurrent.futures import Future

_lock = threading.Lock()
_launcher: _Launcher | None = None


class _Launcher:
    def __init__(self):
        self.pid = os.getpid()
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="sandbox-launcher", daemon=True).start()

    def popen(self, argv: list[str], **options) -> subprocess.Popen:
        future: Future = Future()
        self._requests.put((argv, options, future))
        return future.result()

    def _serve(self) -> None:
        while True:
            argv, options, future = self._requests.get()
            try:
                future.set_result(subprocess.Popen(argv, **options))
            except BaseException as error:  # handed to the caller, who raises it
                future.set_exception(error)


def popen(argv: list[str], **options) -> subprocess.Popen:
    """subprocess.Popen, forked by the launcher thread (started on first use, again after fork)."""
    global _launcher
    with _lock:
        if _launcher is None or _launcher.pid != os.getpid():
            _launcher = _Launcher()
        launcher = _launcher
    return launcher.popen(argv, **options)
