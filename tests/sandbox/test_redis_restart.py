"""Redis restarted without its data under a running site (distributed mode, real components):
the run that was going finishes, the run that waited in the lost queue ends with a clear
message, the site answers while Redis is away, and new runs work once it is back."""

import os
import sqlite3
import time
import urllib.request

import pytest
import redis

from studyapp.sandbox.runtime.cgroups import sweep_orphaned_groups
from studyapp.sandbox.runtime.host import detect
from tests.support.redis_server import redis_server
from tests.support.sandbox_client import Learner
from tests.support.servers import (
    free_port,
    prepare_site,
    site_env,
    start_gunicorn,
    start_sandbox_host,
    stop_process_groups,
    wait_until_host_beats,
    wait_until_up,
)

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="uses its own SQLite file"
)
SLOW = "import time\ndef lambda_handler(event, context):\n    time.sleep(4)\n    return 'slow'\n"
FAST = "def lambda_handler(event, context):\n    return 'fast'\n"
LOST_AFTER_S = 5


@pytest.fixture
def site(tmp_path):
    with redis_server(restartable=True) as server:
        database = tmp_path / "site.sqlite3"
        env = site_env(
            database,
            REDIS_URL=server.url,
            SANDBOX_JOBS="celery",
            SANDBOX_HOST_GRACE_S="2",
            SANDBOX_LOST_MESSAGE_AFTER_S=str(LOST_AFTER_S),
        )
        prepare_site(env)
        host = start_sandbox_host(env, "only-host", threads=1)  # one thread: a second run waits
        port = free_port()
        web = start_gunicorn(env | {"PATH": "/nonexistent"}, port, workers=2, threads=4)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base)
            wait_until_host_beats(server.url, "only-host")
            yield {"base": base, "database": database, "redis": server}
        finally:
            stop_process_groups([web, host])
            sweep_orphaned_groups(detect().cgroup_mode)


def state_of(site, public_id: str) -> str:
    with sqlite3.connect(site["database"]) as db:
        row = db.execute("SELECT state FROM sandbox_sandboxjob WHERE public_id = ?", (public_id,)).fetchone()
    return row[0]


def wait_for_state(site, public_id: str, state: str) -> None:
    deadline = time.monotonic() + 30
    while state_of(site, public_id) != state:
        assert time.monotonic() < deadline, f"job {public_id} never {state}"
        time.sleep(0.1)


def queue_length(site) -> int:
    return redis.Redis.from_url(site["redis"].url).llen("sandbox")


def test_a_redis_restart_ends_lost_runs_clearly_and_new_runs_work(site):
    running, holding, waiting = (Learner(site["base"]) for _ in range(3))
    status, slow = running.submit(SLOW, timeout_s="10")
    assert status == 200
    wait_for_state(site, slow, "running")
    # The host takes one more message while it runs (prefetch): that one is safe with the host.
    status, held = holding.submit(FAST)
    assert status == 200
    deadline = time.monotonic() + 10
    while queue_length(site):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # This one waits in Redis itself.
    status, queued = waiting.submit(FAST)
    assert status == 200 and state_of(site, queued) == "queued" and queue_length(site) == 1

    site["redis"].stop()
    # Redis away: pages answer, and a Run is refused with a clear message, not a 500.
    assert urllib.request.urlopen(site["base"] + "/topics/", timeout=30).status == 200
    status, _ = Learner(site["base"]).submit(FAST)
    assert status == 503, status
    site["redis"].restart()  # empty: the message that waited in it is gone

    # The runs the host held (the one going, the one prefetched) finish.
    assert "slow" in running.result(slow, timeout_s=30)
    assert 'data-status="success"' in holding.result(held, timeout_s=30)
    # The run whose message was lost ends with a clear message, in bounded time.
    started = time.monotonic()
    page = waiting.result(queued, timeout_s=LOST_AFTER_S + 30)
    assert "The sandbox stopped before your function finished" in page
    assert time.monotonic() - started < LOST_AFTER_S + 20

    # The host beats again and takes new runs.
    wait_until_host_beats(site["redis"].url, "only-host", timeout_s=30)
    newcomer = Learner(site["base"])
    status, fresh = newcomer.submit(FAST)
    assert status == 200
    page = newcomer.result(fresh, timeout_s=30)
    assert 'data-status="success"' in page and "fast" in page
