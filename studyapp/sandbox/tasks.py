"""Celery tasks: a sandbox job, run on whichever worker host takes it from its queue."""

import threading

from celery.signals import worker_ready

from studyapp.sandbox import jobs
from studyapp.sandbox.celery_app import app


@worker_ready.connect
def start_heartbeat(**_kwargs) -> None:
    threading.Thread(target=jobs.heartbeat_forever, name="sandbox-heartbeat", daemon=True).start()


@app.task(name=jobs.RUN_JOB_TASK, ignore_result=True)
def run_job(job_id: int) -> None:
    jobs.execute(job_id)
