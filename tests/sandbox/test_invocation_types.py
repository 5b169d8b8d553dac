"""Event (asynchronous) invocations with retries and destinations, and the concurrency cap."""

import threading
import time

from tests.sandbox.conftest import function, make_engine

FAILS = "def handler(event, context):\n    raise ValueError('nope: ' + event['id'])\n"
SUCCEEDS = "def handler(event, context):\n    return {'handled': event['id']}\n"
DESTINATIONS = {
    "on_success": "arn:aws:sqs:us-east-1:123456789012:orders-done",
    "on_failure": "arn:aws:sqs:us-east-1:123456789012:orders-failed",
}


def test_event_is_accepted_immediately_with_202(engine):
    config = function("import time\ndef handler(e, c):\n    time.sleep(0.5)\n    return 1\n")
    started = time.monotonic()
    started_event = engine.start(config, {"id": "a"}, "Event")
    result = started_event.result
    assert time.monotonic() - started < 0.2
    assert result.status == "accepted" and result.status_code == 202 and result.payload is None
    assert started_event.pending.wait(5)


def test_failed_event_is_retried_twice_then_sent_to_on_failure_destination(engine):
    result, invocation = engine.start(function(FAILS), {"id": "o-17"}, "Event", destinations=DESTINATIONS)
    assert invocation.wait(10)
    assert [a.number for a in invocation.attempts] == [1, 2, 3]
    assert all(a.result.payload["errorType"] == "ValueError" for a in invocation.attempts)
    # Lambda keeps the event's request ID across its retries.
    assert {a.request_id for a in invocation.attempts} == {result.request_id}
    assert [a.lambda_wait_s for a in invocation.attempts] == [0, 60, 120]
    assert [a.waited_s for a in invocation.attempts] == [0.0, 0.05, 0.1]
    assert invocation.destination == DESTINATIONS["on_failure"]
    record = invocation.destination_record
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestPayload"] == {"id": "o-17"}
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorMessage"] == "nope: o-17"
    assert invocation.timeline()[-1]["destination"] == DESTINATIONS["on_failure"]


def test_success_goes_to_on_success_destination_after_one_attempt(engine):
    invocation = engine.start(function(SUCCEEDS), {"id": "o-18"}, "Event", destinations=DESTINATIONS).pending
    assert invocation.wait(10)
    assert len(invocation.attempts) == 1 and invocation.succeeded
    assert invocation.destination == DESTINATIONS["on_success"]
    assert invocation.destination_record["requestContext"]["condition"] == "Success"
    assert invocation.destination_record["responsePayload"] == {"handled": "o-18"}


def test_failure_without_destination_goes_to_the_dead_letter_queue(engine):
    dlq = "arn:aws:sqs:us-east-1:123456789012:orders-dlq"
    result, invocation = engine.start(
        function(FAILS),
        {"id": "o-19"},
        "Event",
        destinations={"dead_letter_queue": dlq},
        maximum_retry_attempts=1,
    )
    assert invocation.wait(10)
    assert len(invocation.attempts) == 2
    assert invocation.destination == dlq
    assert invocation.destination_record["body"] == '{"id": "o-19"}'
    attributes = invocation.destination_record["messageAttributes"]
    assert attributes["RequestID"]["stringValue"] == result.request_id
    assert attributes["ErrorMessage"]["stringValue"] == "nope: o-19"


def test_timeouts_count_as_errors_and_are_retried(engine):
    config = function("import time\ndef handler(e, c):\n    time.sleep(5)\n", timeout_s=1)
    invocation = engine.start(config, {"id": "slow"}, "Event", maximum_retry_attempts=1).pending
    assert invocation.wait(15)
    assert [a.result.status for a in invocation.attempts] == ["timeout", "timeout"]


def test_concurrency_cap_refuses_immediately_and_loses_nothing():
    engine = make_engine(max_concurrency=2, max_environments=6)
    try:
        config = function("import time\ndef handler(e, c):\n    time.sleep(0.4)\n    return e['n']\n")
        results, lock = {}, threading.Lock()

        def call(n):
            started = time.monotonic()
            result = engine.invoke(config, {"n": n})
            with lock:
                results[n] = (result, time.monotonic() - started)

        threads = [threading.Thread(target=call, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert len(results) == 8  # every call answered
        succeeded = [n for n, (r, _) in results.items() if r.status == "success"]
        throttled = [(r, t) for r, t in results.values() if r.status == "throttled"]
        assert 2 <= len(succeeded) <= 4
        assert len(succeeded) + len(throttled) == 8
        for result, elapsed in throttled:
            assert result.status_code == 429
            assert result.payload == {
                "errorType": "TooManyRequestsException",
                "errorMessage": "Rate Exceeded.",
            }
            assert elapsed < 0.2  # refused at once, not queued
        assert all(results[n][0].payload == n for n in succeeded)
    finally:
        engine.close()


def test_idle_environments_expire():
    engine = make_engine(idle_expiry_s=0.3)
    try:
        config = function(SUCCEEDS)
        engine.invoke(config, {"id": "x"})
        assert engine.pool.counts()["idle"] == 1
        time.sleep(1.6)
        assert engine.pool.counts()["idle"] == 0
        assert engine.invoke(config, {"id": "x"}).cold_start is True
    finally:
        engine.close()


def test_warm_pool_is_bounded_and_evicts_the_least_recently_used():
    engine = make_engine(max_environments=3, blank_environments=1)
    try:
        configs = [function(SUCCEEDS + f"\n# {n}") for n in range(5)]
        for config in configs:
            assert engine.invoke(config, {"id": "x"}).status == "success"
        counts = engine.pool.counts()
        assert counts["idle"] + counts["blank"] + counts["busy"] <= 4
        assert engine.invoke(configs[-1], {"id": "x"}).cold_start is False
        assert engine.invoke(configs[0], {"id": "x"}).cold_start is True
    finally:
        engine.close()


def test_background_threads_are_frozen_between_invokes(engine):
    config = function("""
        import threading, time
        ticks = 0
        def spin():
            global ticks
            while True:
                ticks += 1
                time.sleep(0.01)
        threading.Thread(target=spin, daemon=True).start()
        def handler(event, context):
            return ticks
    """)
    first = engine.invoke(config, {}).payload
    time.sleep(0.6)
    second = engine.invoke(config, {}).payload
    # ~60 ticks would happen in 0.6 s if the environment kept running between invokes.
    assert second - first < 20


def test_destroying_an_environment_twice_frees_its_slot_once():
    engine = make_engine(max_environments=3, blank_environments=1)
    try:
        config = function(SUCCEEDS + "\n# slots")
        engine.invoke(config, {"id": "x"})
        env = next(e for e in engine.pool.all_environments() if e.fingerprint == config.fingerprint)
        engine.pool.destroy(env)
        with engine.pool._lock:  # a new environment claims the freed slot (and its uid) meanwhile
            engine.pool._free_slots.remove(env.slot)
        engine.pool.destroy(env)  # e.g. the timeout path, then the give-back path
        with engine.pool._lock:
            free = list(engine.pool._free_slots)
        assert env.slot not in free  # freeing it again would give two environments one uid
    finally:
        engine.close()


def test_an_environment_outlives_the_thread_that_started_it():
    # bubblewrap's --die-with-parent fires when the forking *thread* ends: a request thread or
    # an async retry must not take its warm environment down with it.
    engine = make_engine(blank_environments=0)
    try:
        config = function(SUCCEEDS + "\n# spawned by a short-lived thread")
        results = []
        thread = threading.Thread(target=lambda: results.append(engine.invoke(config, {"id": "t"})))
        thread.start()
        thread.join(10)
        assert results[0].cold_start is True and results[0].status == "success"
        time.sleep(0.2)  # the kernel's parent-death signal would have arrived by now
        again = engine.invoke(config, {"id": "t"})
        assert again.status == "success", again.payload_json
        assert again.cold_start is False and again.payload == {"handled": "t"}
    finally:
        engine.close()


def test_owners_never_share_an_environment_and_reset_only_their_own(engine):
    code = "def handler(e, c):\n    return 1\n# owned\n"
    mine, theirs = function(code, owner="user:1"), function(code, owner="anonymous:abc")
    assert mine.fingerprint != theirs.fingerprint
    assert engine.invoke(mine, {}).cold_start and not engine.invoke(mine, {}).cold_start
    assert engine.invoke(theirs, {}).cold_start
    assert engine.reset(mine) == 1
    assert engine.invoke(theirs, {}).cold_start is False
    engine.reset(theirs)
