"""The Celery application for sandbox runs in the distributed mode (SANDBOX_JOBS=celery): Redis
as the broker (REDIS_URL); sandbox workers are their own processes, on any number of hosts:

    celery -A studyapp.sandbox.celery_app worker --pool threads --concurrency 4 -Q sandbox,sandbox.<host>

(`make sandbox-worker`). Web processes only submit; they never run untrusted code.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyapp.settings")

app = Celery("coldstart", include=["studyapp.sandbox.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")
