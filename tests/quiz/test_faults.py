"""Faults around timed exams: a server restart keeps the deadline and answers; a busy SQLite
database makes a request wait, not lose the answer."""

import os
import signal
import sqlite3
import threading
import time
import urllib.parse
import urllib.request

import pytest

from tests.support.servers import (
    browser_session,
    free_port,
    prepare_site,
    site_env,
    start_gunicorn,
    wait_until_up,
)


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="uses its own SQLite file"
)
def test_server_restart_mid_exam_keeps_deadline_and_answers(tmp_path, redis_url):
    env = site_env(tmp_path / "restart.sqlite3", SANDBOX_BLANK_ENVIRONMENTS="0", REDIS_URL=redis_url)
    prepare_site(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(env, port)
    try:
        wait_until_up(base)
        opener, token = browser_session(base)

        def post(path, data):
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True).encode()
            try:
                return opener.open(base + path, data=body).read().decode()
            except urllib.error.HTTPError as error:
                return error.headers.get("Location", "")

        location = post("/quiz/exam/", {"count": "5", "minutes": "20"})
        page = opener.open(base + location).read().decode()
        remaining_before = int(page.split('data-remaining="')[1].split('"')[0])
        kind = page.split('data-type="')[1].split('"')[0]
        post(location, {"choice": "0"} if kind in ("single", "truefalse", "multi") else {"value": "1"})
        # A crash: master and workers at once, so no old worker answers on the port afterwards.
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)
        time.sleep(1)
        server = start_gunicorn(env, port)
        wait_until_up(base)
        page = opener.open(base + location).read().decode()
        remaining_after = int(page.split('data-remaining="')[1].split('"')[0])
        assert remaining_before - 10 <= remaining_after <= remaining_before - 1  # the clock kept running
        assert 'data-testid="saved"' in page  # the answer survived the crash
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite locking")
def test_busy_sqlite_makes_the_answer_wait_not_vanish(question_bank):
    from django.db import connection
    from django.utils import timezone

    from studyapp.quiz import attempts
    from studyapp.quiz.models import AttemptAnswer

    attempt = attempts.start_attempt(
        {"user": None, "learner_key": "busy"}, "exam", ["fx-single"], timezone.now(), time_limit_s=600
    )
    blocker = sqlite3.connect(connection.settings_dict["NAME"], timeout=1, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database
    released = threading.Timer(1.0, blocker.rollback)
    released.start()
    started = time.monotonic()
    attempts.save_answer(attempt, 1, "0", timezone.now())
    waited = time.monotonic() - started
    released.join()
    blocker.close()
    assert waited >= 0.5  # it queued behind the lock instead of failing
    assert AttemptAnswer.objects.get(attempt=attempt, position=1).response == "0"
