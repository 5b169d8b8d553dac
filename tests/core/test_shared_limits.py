"""Rate limits with several gunicorn workers: shared through Redis, so a learner's allowance does
not multiply with the workers; without a shared cache, several workers refuse to start."""

import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.support.servers import (
    ROOT,
    browser_session,
    free_port,
    prepare_site,
    site_env,
    start_gunicorn,
    wait_until_up,
)

LIMIT = 3


def signup_statuses(base: str, times: int) -> list[int]:
    """`times` sign ups at once (each on its own connection): a sync worker answers one at a
    time, so both workers take some."""
    opener, token = browser_session(base, "/accounts/signup/")
    statuses: list[int] = []
    start = threading.Barrier(times)

    def sign_up(n: int) -> None:
        data = {"username": f"u{n}", "password1": "a", "password2": "b", "csrfmiddlewaretoken": token}
        start.wait()
        body = urllib.parse.urlencode(data).encode()
        try:
            statuses.append(opener.open(base + "/accounts/signup/", data=body, timeout=30).status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def serving_workers(log: Path) -> set[str]:
    return {line.split()[0] for line in log.read_text().splitlines() if line.strip()}


def wait_until_both_workers_answer(base: str, log: Path) -> None:
    """The first answer may come before the second worker has booted: send bursts of requests
    until both have answered one (else one worker could take the whole test's burst)."""
    deadline = time.monotonic() + 30
    while len(serving_workers(log)) < 2:
        assert time.monotonic() < deadline, "the second gunicorn worker never answered"
        burst = [
            threading.Thread(target=lambda: urllib.request.urlopen(base + "/health/", timeout=10).read())
            for _ in range(8)
        ]
        for thread in burst:
            thread.start()
        for thread in burst:
            thread.join(15)
        time.sleep(0.2)


def wait_for_a_fresh_minute(needed_s: float = 15) -> None:
    """The servers count in fixed one-minute windows: a burst that straddled a minute would be
    counted twice over. Start it where the minute has room for it."""
    left = 60 - time.time() % 60
    if left < needed_s:
        time.sleep(left + 0.5)


def test_two_workers_share_one_limit_through_redis(tmp_path, redis_url):
    env = site_env(tmp_path / "limits.sqlite3", REDIS_URL=redis_url, SIGNUPS_PER_MINUTE=str(LIMIT))
    prepare_site(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "access.log"
    server = start_gunicorn(env, port, workers=2, access_log=log)
    try:
        wait_until_up(base)
        wait_until_both_workers_answer(base, log)
        wait_for_a_fresh_minute()
        statuses = signup_statuses(base, 8 * LIMIT)
    finally:
        server.terminate()
        server.wait(15)
    assert statuses.count(200) == LIMIT and statuses.count(429) == len(statuses) - LIMIT, statuses
    # Both workers answered sign ups: the count crossed from one process to the other.
    workers = {line.split()[0] for line in log.read_text().splitlines() if "/accounts/signup/ " in line}
    assert len(workers) == 2, log.read_text()


def test_several_workers_without_a_shared_cache_refuse_to_start(tmp_path):
    env = {key: value for key, value in site_env(tmp_path / "no.sqlite3").items() if key != "REDIS_URL"}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "studyapp.wsgi:application", "--config", str(ROOT / "gunicorn.conf.py")]
    started = subprocess.run(
        [*command, "--bind", f"127.0.0.1:{free_port()}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert "REDIS_URL" in started.stderr and "2 workers" in started.stderr
