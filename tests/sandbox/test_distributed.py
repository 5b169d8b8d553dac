"""The distributed mode with real components: gunicorn (two workers) submitting to Redis, and two
Celery workers as two sandbox "hosts", each with its own queue and uid range. Runs land on a
host, "Invoke again" lands warm on the host that holds the environment, and a host killed
mid-run gives the learner a clear answer, not an endless spinner."""

import os
import signal
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import redis

from studyapp.content.questions import bank
from studyapp.sandbox.runtime.cgroups import sweep_orphaned_groups
from studyapp.sandbox.runtime.host import detect
from tests.support.sandbox_client import Learner as SandboxLearner
from tests.support.sandbox_client import form
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
HOSTS = ("host-a", "host-b")


@pytest.fixture(scope="module")
def site(tmp_path_factory, redis_url):
    folder = tmp_path_factory.mktemp("distributed")
    database = folder / "site.sqlite3"
    env = site_env(
        database,
        REDIS_URL=redis_url,
        SANDBOX_JOBS="celery",
        SANDBOX_HOST_GRACE_S="2",
        SANDBOX_RUNS_PER_MINUTE="1000",
    )
    prepare_site(env)
    redis.Redis.from_url(redis_url).flushdb()
    workers = {host: start_sandbox_host(env, host) for host in HOSTS}
    port = free_port()
    # The web processes cannot run a sandbox at all (no bubblewrap on their PATH): whatever runs,
    # ran on a sandbox host.
    web = start_gunicorn(env | {"PATH": "/nonexistent"}, port, workers=2, threads=4)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        for host in HOSTS:
            wait_until_host_beats(redis_url, host)
        yield {"base": base, "database": database, "workers": workers, "env": env, "redis": redis_url}
    finally:
        stop_process_groups([web, *workers.values()])
        # Hosts killed with idle (frozen) environments leave them behind, as a crashed host
        # would: clear them now, as the next engine on this machine would at its start.
        sweep_orphaned_groups(detect().cgroup_mode)


class Learner(SandboxLearner):
    def run(self, code: str, **overrides) -> str:
        status, public_id = self.submit(code, **overrides)
        assert status == 200, status
        return public_id


def host_of(site, public_id: str) -> str:
    with sqlite3.connect(site["database"]) as db:
        return db.execute("SELECT host FROM sandbox_sandboxjob WHERE public_id = ?", (public_id,)).fetchone()[
            0
        ]


def test_runs_land_on_sandbox_hosts_and_invoke_again_lands_warm(site):
    learner = Learner(site["base"])
    code = (
        "COUNT = 0\ndef lambda_handler(event, context):\n    global COUNT\n    COUNT += 1\n    return COUNT\n"
    )
    first = learner.run(code)
    page = learner.result(first)
    assert 'data-status="success"' in page and "Cold start" in page
    home = host_of(site, first)
    assert home in HOSTS
    warm = 0
    for _ in range(20):
        public_id = learner.run(code)
        page = learner.result(public_id)
        assert 'data-status="success"' in page
        warm += "Warm start" in page and host_of(site, public_id) == home
    assert warm >= 19, f"{warm} of 20 invokes landed warm"  # the bar: at least 95%


def test_a_code_answer_is_graded_on_a_sandbox_host(site):
    """Web processes run no learner code in this mode: a code answer runs on a host."""
    question = bank().questions["code-sqs-partial-batch-failure"]
    learner = Learner(site["base"])
    data = {"topics": question.topics[0], "count": "50", "csrfmiddlewaretoken": learner.token}
    try:
        learner.opener.open(site["base"] + "/quiz/practice/", data=urllib.parse.urlencode(data).encode())
        raise AssertionError("starting a practice did not redirect")
    except urllib.error.HTTPError as redirect:
        attempt = redirect.headers["Location"].split("/q/")[0]
    for position in range(1, 51):
        url = f"{site['base']}{attempt}/q/{position}/"
        if f'data-question="{question.id}"' in learner.opener.open(url, timeout=30).read().decode():
            break
    else:
        raise AssertionError("the code question is not in the practice")
    body = urllib.parse.urlencode({"code": question.solution, "csrfmiddlewaretoken": learner.token}).encode()
    request = urllib.request.Request(url, data=body, headers={"HX-Request": "true"})
    page = learner.opener.open(request, timeout=90).read().decode()
    assert "Correct" in page, page[:2000]
    with sqlite3.connect(site["database"]) as db:
        hosts = db.execute("SELECT host FROM sandbox_sandboxjob WHERE owner LIKE '%/graded-%'").fetchall()
    assert hosts and hosts[-1][0] in HOSTS


def test_a_host_killed_mid_run_gives_a_clear_answer_and_the_next_run_works(site):
    learner = Learner(site["base"])
    slow = "import time\ndef lambda_handler(event, context):\n    time.sleep(30)\n    return 1\n"
    public_id = learner.run(slow, timeout_s="5")
    deadline = time.monotonic() + 30
    while not host_of(site, public_id):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    victim = host_of(site, public_id)
    os.killpg(site["workers"][victim].pid, signal.SIGKILL)
    started = time.monotonic()
    page = learner.result(public_id, timeout_s=40)
    assert "The sandbox stopped" in page
    assert time.monotonic() - started < 5 + 2 + 2 + 10  # its timeout, the slack, the grace, polling
    survivor = next(host for host in HOSTS if host != victim)
    again = learner.run("def lambda_handler(event, context):\n    return 'after'\n")
    assert 'data-status="success"' in learner.result(again) and host_of(site, again) == survivor


def test_with_every_sandbox_host_down_pages_work_and_the_sandbox_says_so(site):
    for process in site["workers"].values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    client = redis.Redis.from_url(site["redis"])
    deadline = time.monotonic() + 30
    while client.get(":1:sandbox:any-host-alive") is not None:  # the last heartbeat runs out
        assert time.monotonic() < deadline
        time.sleep(0.5)
    learner = Learner(site["base"])
    assert learner.opener.open(site["base"] + "/topics/", timeout=30).status == 200
    data = form() | {"csrfmiddlewaretoken": learner.token}
    request = urllib.request.Request(
        site["base"] + "/sandbox/run/",
        data=urllib.parse.urlencode(data, doseq=True).encode(),
        headers={"HX-Request": "true"},
    )
    try:
        learner.opener.open(request, timeout=30)
        raise AssertionError("a run was accepted with no sandbox host")
    except urllib.error.HTTPError as error:
        assert error.code == 503 and "No sandbox host is running" in error.read().decode()
